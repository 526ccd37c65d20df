# The two commands of the README: `make run` and `make test`. Each installs what is missing first.
SWIFT ?= swift
CONFIGURATION ?= debug
DEMO_DIR ?= .build/demo

PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR ?= /etc/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
DESTDIR ?=

QUICK ?=
# Release binaries carry the Swift runtime and Foundation inside: they start about 5 ms sooner (a git hook
# is a new process per push) and run on a server without a Swift toolchain (libgit2 stays a system library).
RELEASE = -c release --static-swift-stdlib
FIXTURES ?= ../shared/fixtures/openapi
SMELLS ?= ../shared/fixtures/requirement-smells

.PHONY: all deps test-deps bench-deps build run test lint format bench smells torture soak install clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build: deps
	$(SWIFT) build -c $(CONFIGURATION)

# The main job on a built-in demo: a spec repository with hooks, served by handoffd in the foreground
# (Ctrl-C stops it). The instructions printed first say how to try it from another terminal.
run: build
	@rm -rf $(DEMO_DIR)
	"$$($(SWIFT) build -c $(CONFIGURATION) --show-bin-path)/handoff" demo $(DEMO_DIR)
	@echo "(handoff is at $$($(SWIFT) build -c $(CONFIGURATION) --show-bin-path)/handoff; put that folder on PATH to follow along)"
	exec "$$($(SWIFT) build -c $(CONFIGURATION) --show-bin-path)/handoffd" --config $(DEMO_DIR)/handoffd.yaml

# The whole suite, then the quick benchmark so that its harness cannot rot (its figures are not judged).
test: test-deps bench-deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --disable-xctest
	$(MAKE) --no-print-directory torture QUICK=1
	$(MAKE) --no-print-directory soak QUICK=1
	$(MAKE) --no-print-directory bench QUICK=1

# Seeded random histories through the pre-receive hook and handoffd (HandoffTortureTests); QUICK=1 for a few
# batches, SEED=n for another history, ONLY=actions,merges,... for some kinds of commit, KEEP=1 to keep the repositories.
torture: test-deps
	$(SWIFT) build --build-tests
	HANDOFF_TORTURE=$(if $(QUICK),quick,full) $(if $(SEED),HANDOFF_TORTURE_SEED=$(SEED)) $(if $(ONLY),HANDOFF_TORTURE_ONLY=$(ONLY)) \
		$(if $(KEEP),HANDOFF_TORTURE_KEEP=1) $(SWIFT) test --disable-xctest --skip-build --filter HandoffTortureTests

# The real handoffd serving 100 repositories and two git:// remotes (one goes silent, one goes away and comes
# back) under seeded pushes for 30 minutes, sampling RSS, CPU, descriptors and threads (SoakTests); it fails on
# growth, a lost or doubled action, or a silent remote not backed off. QUICK=1 for 2 minutes, SEED=n for other
# push moments, MINUTES=m for a full run of another length.
soak: test-deps
	$(SWIFT) build --build-tests
	HANDOFF_SOAK=$(if $(QUICK),quick,full) $(if $(SEED),HANDOFF_SOAK_SEED=$(SEED)) $(if $(MINUTES),HANDOFF_SOAK_MINUTES=$(MINUTES)) \
		$(SWIFT) test --disable-xctest --skip-build --filter HandoffDaemonTests.SoakTests

# House rules the tools keep: swift-format's lint (.swift-format), and no decision made by matching text.
lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Package.swift
	@scripts/lint-meaning.sh

# Rewrites the sources in the house format (what `make lint` checks).
format:
	$(SWIFT) format format --in-place --recursive --parallel Sources Tests Package.swift

# Release binaries, the systemd units, the handoff system user (sysusers.d), man pages, completions, and
# the example configuration (kept if already there).
install: deps
	$(SWIFT) build $(RELEASE)
	install -D -m 755 "$$($(SWIFT) build $(RELEASE) --show-bin-path)/handoff" "$(DESTDIR)$(PREFIX)/bin/handoff"
	install -D -m 755 "$$($(SWIFT) build $(RELEASE) --show-bin-path)/handoffd" "$(DESTDIR)$(PREFIX)/bin/handoffd"
	install -D -m 644 systemd/handoffd.service "$(DESTDIR)$(UNITDIR)/handoffd.service"
	install -D -m 644 systemd/handoffd-once.service "$(DESTDIR)$(UNITDIR)/handoffd-once.service"
	install -D -m 644 systemd/handoffd-once.timer "$(DESTDIR)$(UNITDIR)/handoffd-once.timer"
	install -D -m 644 systemd/handoff.sysusers "$(DESTDIR)$(SYSUSERSDIR)/handoff.conf"
	install -D -m 644 systemd/handoffd-remote.conf "$(DESTDIR)$(PREFIX)/share/doc/handoff/handoffd-remote.conf"
	install -D -m 644 systemd/handoffd-http.conf "$(DESTDIR)$(PREFIX)/share/doc/handoff/handoffd-http.conf"
	if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then systemd-sysusers "$(SYSUSERSDIR)/handoff.conf"; fi
	$(SWIFT) package plugin generate-manual
	install -D -m 644 .build/plugins/GenerateManual/outputs/handoff/handoff.1 "$(DESTDIR)$(PREFIX)/share/man/man1/handoff.1"
	install -D -m 644 .build/plugins/GenerateManual/outputs/handoffd/handoffd.1 "$(DESTDIR)$(PREFIX)/share/man/man1/handoffd.1"
	bin="$$($(SWIFT) build $(RELEASE) --show-bin-path)/handoff"; \
	mkdir -p "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
		"$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d" && \
	"$$bin" --generate-completion-script bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/handoff" && \
	"$$bin" --generate-completion-script zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_handoff" && \
	"$$bin" --generate-completion-script fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/handoff.fish"
	install -D -m 644 README.md "$(DESTDIR)$(PREFIX)/share/doc/handoff/README.md"
	install -D -m 644 docs/rules.md "$(DESTDIR)$(PREFIX)/share/doc/handoff/rules.md"
	install -D -m 644 docs/policy.md "$(DESTDIR)$(PREFIX)/share/doc/handoff/policy.md"
	test -e "$(DESTDIR)$(SYSCONFDIR)/handoff/handoffd.yaml" || \
		install -D -m 644 Config/handoffd.yaml "$(DESTDIR)$(SYSCONFDIR)/handoff/handoffd.yaml"

bench-deps: deps
	@scripts/install-deps.sh --bench

# Benchmarks in a release build, each figure beside its baseline; QUICK=1 for a reduced run.
bench: bench-deps
	$(SWIFT) build $(RELEASE)
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/handoff-bench" $(if $(QUICK),--quick) \
		$(if $(wildcard $(SMELLS)/ds2.csv),--smells $(SMELLS)) $(wildcard $(FIXTURES))

# The requirement-smell detector alone: held-out figures on the labelled sets (tune on one, report on the
# other, and leave-one-document-out), then its throughput on one core.
smells: deps
	$(SWIFT) build $(RELEASE) --product handoff-bench
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/handoff-bench" --only smells $(SMELLS)

clean:
	rm -rf .build
