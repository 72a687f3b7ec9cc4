# The kit's commands. The README's quick start is `make lab` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp

.PHONY: setup lab test test-fast bench image baselines clean-lab classroom hub learner-image

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Jupyter refuses to start as root ("Running as root is not recommended") unless told: a cloud VM, a
# container or a classroom server often runs as root, so say it then, and only then.
USER_ID ?= $(shell id -u)
ALLOW_ROOT = $(if $(filter 0,$(USER_ID)),--allow-root)
# Extra options for `make lab`, e.g. LAB_ARGS="--no-browser --port 8899".
LAB_ARGS ?=

## Set up (once) and open JupyterLab on the first notebook (as root or not).
lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS) notebooks/00_welcome.ipynb

## The instructor's projector view: the instructor notebook as a Voila app (large type, no code shown).
classroom: $(STAMP)
	$(BIN)/voila notebooks/instructor.ipynb --theme=light --preheat_kernel=True

## The classroom hub on this server (JupyterHub, a container per learner, the lab service; README: "A classroom on one server").
hub: $(STAMP)
	deploy/jupyterhub/start-hub

## The learner image for the hub, built offline from the stand-in image and wheels downloaded once.
learner-image: $(STAMP)
	deploy/jupyterhub/build-learner-image

## Run the whole test suite (live tests skip without Docker/Chromium locally; in CI they must run).
test: $(STAMP)
	$(BIN)/python -m pytest

## The tests that need neither Docker nor a browser (nor minutes of installing: the pipx test).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not docker and not browser and not install"

## Build the offline stand-in image from Debian's packages (needs root, debootstrap, a daemon).
image:
	scripts/build-offline-image.sh

## Redraw the eight seed scenarios into tests/baseline_images (the image tests' baselines); look, then commit.
baselines: $(STAMP)
	$(BIN)/python -m owui_lab.drawing --regenerate-baselines tests/baseline_images

## Remove every Docker object the kit labelled (and nothing else).
clean-lab: $(STAMP)
	$(BIN)/owui-lab lab clean
