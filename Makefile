# The two commands of the README: `make run` and `make test`. Each installs what is missing first.
SWIFT ?= swift
CONFIGURATION ?= debug
DEMO_DIR ?= .build/demo

.PHONY: all deps test-deps build run test clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build: deps
	$(SWIFT) build -c $(CONFIGURATION)

# The main job on a built-in demo: create a spec repository with two packets, then process it once.
run: build
	@rm -rf $(DEMO_DIR)
	$(SWIFT) run -c $(CONFIGURATION) handoff demo $(DEMO_DIR)
	$(SWIFT) run -c $(CONFIGURATION) handoffd --once --repository $(DEMO_DIR)/specs.git

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --disable-xctest

clean:
	rm -rf .build
