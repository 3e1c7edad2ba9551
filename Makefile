# c2w-run: two commands on a fresh Debian 12 machine:
#   make demo   installs everything and runs the main job
#   make test   installs everything and runs the test suite
SHELL := /bin/bash
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
export C2W_CACHE ?= $(HOME)/.cache/c2w

.PHONY: setup system venv runtimes runtimes-all test test-fast test-x86 test-aot test-foreign demo matrix fuzz wheel clean

setup: system venv

system:
	scripts/setup-system.sh

$(VPY):
	$(PY) -m venv $(VENV)

venv: $(VPY)
	$(VPY) -m pip install -q --disable-pip-version-check -e '.[wasmtime,engine,test,browser]'

runtimes: setup
	scripts/install-runtimes.sh
	scripts/install-browser.sh

runtimes-all: setup
	scripts/install-runtimes.sh --all

# the x86_64 (Bochs) engine's tests are opt-in while it is being built: their first run builds
# an x86_64 kernel and Bochs twice (7-17 min on 2 cores), see converter/bochs/README.md
test: runtimes
	$(VPY) -m pytest --ignore=converter/bochs

test-x86: runtimes
	$(VPY) -m pytest converter/bochs

# translated guest pages (converter/aot) also under wasmtime: the first run compiles them into
# engine.wasm builds (~2-4 min on 2 cores); `make test` runs the native half. Also `c2w --aot=on` on the
# default image (profiling run, 8 translated pages, snapshot) against the interpreter image (~1-2 min)
test-aot: runtimes
	C2W_TEST_AOT_WASM=1 $(VPY) -m pytest -q converter/aot

# every foreign architecture on every runtime (24 qemu-user runs, ~5 min); `make test` runs 9
test-foreign: runtimes
	C2W_TEST_FOREIGN_ALL=1 $(VPY) -m pytest -q converter/tests/test_foreign_images.py

test-fast: venv
	$(VPY) -m pytest -x -q c2w_run

demo: runtimes
	$(VENV)/bin/c2w-run runtimes
	scripts/demo.sh

# the wheel with the prebuilt engine, kernel, init and default image, and the x86_64 full-system
# parts (dist/c2w_run-*.whl): installs and converts on a machine without clang, a cross compiler
# or linux-source; the first build of the x86_64 parts takes 7-17 min (cached)
wheel: venv
	scripts/build-wheel.sh --with-x86_64 dist

# the full runtime x feature matrix (opt-in: ~1 min per installed runtime set)
matrix: runtimes
	mkdir -p build/matrix
	$(VENV)/bin/c2w-matrix run --history -o build/matrix/results.json
	$(VENV)/bin/c2w-matrix show build/matrix/results.json --format html -o build/matrix/matrix.html
	$(VENV)/bin/c2w-matrix show build/matrix/results.json --format junit -o build/matrix/junit.xml

# libFuzzer harnesses of the 9p server, the virtqueues, the payload header and the network relay
# (socket framing, --net=stdio multiplex), FUZZ_SECONDS (default 60) each; see converter/engine/fuzz/README.md
fuzz: system
	converter/engine/fuzz/run.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
