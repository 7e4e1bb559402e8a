# wasm-sse: every command sets up what it needs and skips what is already there.
# `make demo` and `make test` are the two a newcomer needs (see README.md).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

WASM_TARGET := wasm32-unknown-unknown
# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)
WASM_OPT := node_modules/.bin/wasm-opt
# The features rustc enables by default for wasm32 (wasm-opt must not strip them).
# --converge repeats -Oz while it still shrinks the module; --low-memory-unused
# lets it fold offsets into loads, as Rust's data and stack sit above 1 MiB
# (1.3 KB less gzipped, together).
WASM_OPT_FLAGS := -Oz --converge --low-memory-unused --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	--enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd
# The shipped wasm is built with its own standard library, panics that trap at
# once and no `Debug` output. On wasm32-unknown-unknown std's panic hook has
# nowhere to print, so the panic messages and the formatting code behind them
# are dead weight (7.5 KB of the main wasm gzipped, 0.7 KB of the parser's),
# and `Debug` served only them (3.2 KB more; messages quote with
# `parser::Quoted`). The flags are unstable: RUSTC_BOOTSTRAP lets the stable
# toolchain take them, as cargo-fuzz does below, and rust-src is the std they
# rebuild. Tests build the plain way.
WASM_BUILD_STD := RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none" \
	cargo build --release --target $(WASM_TARGET) --lib -Zbuild-std=std,panic_abort
# The test files that also run as wasm (each runs in Chromium, a worker and Node).
WASM_TESTS := --test conformance --test delta_wasm --test client_wasm --test client_stream_wasm --test parser_batch_wasm

.PHONY: help setup setup-rust setup-browser setup-npm build test test-native test-wasm test-package test-examples \
	test-stacks test-markdown test-hooks bench fuzz setup-fuzz test-fuzz-seeds demo demo-headless lint clean

help:
	@echo "make demo    build the package and run the example chat app on localhost"
	@echo "make test    install what is missing, then run every test"
	@echo "make build   build the npm package into pkg/"
	@echo "make bench   run the benchmarks (wasm-sse beside its peers)"
	@echo "make fuzz    run every fuzz target for a minute"
	@echo "make lint    rustfmt and clippy"

# ---------------------------------------------------------------- setup
setup: setup-rust setup-browser setup-npm

setup-rust: Cargo.lock
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (takes a few minutes)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

# Only when missing: regenerating it on every Cargo.toml change would move every
# dependency (wasm-bindgen too, which wasm-bindgen-cli must match exactly).
Cargo.lock:
	cargo generate-lockfile

setup-browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		echo "installing Debian's chromium and chromium-driver"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

setup-npm: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# ---------------------------------------------------------------- build
# $(call bindgen,cargo target dir,output dir): wasm-bindgen, then the npm wasm-opt.
define bindgen
	wasm-bindgen --target web --out-dir $(2) --out-name wasm_sse $(1)/$(WASM_TARGET)/release/wasm_sse.wasm
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(2)/wasm_sse_bg.wasm -o $(2)/wasm_sse_bg.wasm
endef

# The full wasm for the main entry, and the parser alone for `wasm-sse/parser`
# (its own target dir, so that neither build invalidates the other).
build: setup-rust setup-npm
	$(WASM_BUILD_STD) --target-dir target/shipped
	$(call bindgen,target/shipped,target/wasm-bindgen)
	$(WASM_BUILD_STD) --no-default-features --target-dir target/shipped-parser
	$(call bindgen,target/shipped-parser,target/wasm-bindgen-parser)
	node scripts/build-iife.mjs target/wasm-bindgen
	node scripts/build-pkg.mjs target/wasm-bindgen target/wasm-bindgen-parser pkg

# ---------------------------------------------------------------- tests
test: setup
	$(MAKE) test-native test-wasm test-package test-examples test-stacks test-markdown test-hooks

test-native: test-fuzz-seeds
	cargo test --all-targets
	cargo test --doc

# The same wasm-bindgen tests run in headless Chromium, a dedicated worker and
# Node. The client tests need the local SSE server: the script starts it and
# passes its URL in WASM_BINDGEN_TEST_SERVER (the timeout is per test binary).
# First the doc examples of the wasm32-only modules (the client's), which
# rustdoc compiles for wasm32 (cross-compiled doctests, Rust 1.89 and later).
test-wasm: setup-rust setup-browser
	cargo test --doc --target $(WASM_TARGET) -- wasm::
	for env in BROWSER DEDICATED_WORKER NODE_EXPERIMENTAL; do \
		node scripts/with-sse-server.mjs -- env WASM_BINDGEN_USE_$$env=1 WASM_BINDGEN_TEST_TIMEOUT=300 \
			cargo test --target $(WASM_TARGET) $(WASM_TESTS); \
	done

# The built package, imported as users do: Node, a page in Chromium, a Vite build.
# tests/chaos and tests/hostile: seeded drops and stalls, hostile servers (CHAOS_SEED=n replays a chaos run).
test-package: build setup-browser
	node --test tests/server/ tests/package/ tests/chaos/ tests/hostile/

# The mock LLM server; the chat apps (vanilla, React, Vue) built from the packed
# package and driven in Chromium against it.
test-examples: build setup-browser examples/vanilla/node_modules/.installed
	node --test examples/server/ tests/examples/

# Real SSE server stacks from the registries (FastAPI + sse-starlette in a venv,
# Hono, Express + compression), driven by the built package in Node and Chromium.
STACKS := tests/stacks
PYTHON ?= python3
test-stacks: build setup-browser $(STACKS)/.venv/.installed $(STACKS)/node_modules/.installed
	node --test $(STACKS)/

$(STACKS)/.venv/.installed: $(STACKS)/requirements.txt
	$(PYTHON) -m venv $(STACKS)/.venv
	$(STACKS)/.venv/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(STACKS)/node_modules/.installed: $(STACKS)/package.json $(STACKS)/package-lock.json
	npm ci --prefix $(STACKS) --no-audit --no-fund
	@touch $@

# The markdown flicker check of tests/delta_markdown.rs, through the built
# package in Node and judged with markdown-it (what the example apps render with).
test-markdown: build tests/markdown/node_modules/.installed
	node --test tests/markdown/

tests/markdown/node_modules/.installed: tests/markdown/package.json tests/markdown/package-lock.json
	npm ci --prefix tests/markdown --no-audit --no-fund
	@touch $@

# wasm-sse/react and wasm-sse/vue (useEventSource, useChat) against the test
# server, on the oldest React and Vue the README claims and the newest: each
# version set is a folder of tests/hooks with its own node_modules.
HOOK_SETS := react-18 react-latest vue-3.3 vue-latest
test-hooks: build $(foreach set,$(HOOK_SETS),tests/hooks/$(set)/node_modules/.installed)
	node --test --test-force-exit tests/hooks/

tests/hooks/%/node_modules/.installed: tests/hooks/%/package.json tests/hooks/%/package-lock.json
	npm ci --prefix tests/hooks/$* --no-audit --no-fund
	@touch $@

# ---------------------------------------------------------------- the rest
bench: build setup-browser tests/markdown/node_modules/.installed
	npm ci --prefix benches --no-audit --no-fund
	node benches/run.mjs

# Every fuzz target for a minute each (FUZZ_SECONDS=... to change), starting
# from its committed seeds (fuzz/seeds/<target>/, read only) and growing its
# own corpus in fuzz/corpus/<target>/ (not committed). A crash stops the run
# and leaves its input in fuzz/artifacts/<target>/.
FUZZ_TARGETS := parser delta_stream json_extract markdown retry_after
fuzz: setup-fuzz
	for target in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$target; \
		(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run $$target corpus/$$target seeds/$$target -- \
			-max_total_time=$(or $(FUZZ_SECONDS),60) -print_final_stats=1) || exit 1; \
	done

setup-fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Builds every fuzz target and runs each on its committed seeds once (no
# fuzzing): the targets compile and the seeds, crashes found earlier among
# them, still pass. Part of `make test`. An unoptimised build (same sanitizer
# and coverage) compiles in a third of the time, and the seeds are few.
FUZZ_DEV_BIN = fuzz/target/$(shell rustc -vV | sed -n "s/^host: //p")/debug
test-fuzz-seeds: setup-fuzz
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build --dev
	for target in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/artifacts/$$target; \
		out=$$($(FUZZ_DEV_BIN)/$$target -runs=0 -artifact_prefix=fuzz/artifacts/$$target/ fuzz/seeds/$$target 2>&1) \
			|| { echo "$$out"; exit 1; }; \
		echo "$$target: $$(echo "$$out" | tail -1)"; \
	done

# The example chat app on http://127.0.0.1:8787/ (PORT=... to change), streaming
# from the mock LLM server, which also serves the page and the package.
demo: build examples/vanilla/node_modules/.installed
	node examples/server/main.mjs --demo --port $(or $(PORT),8787)

# The same app driven in headless Chromium: prints the answer and the metrics.
demo-headless: build setup-browser examples/vanilla/node_modules/.installed
	node examples/vanilla/headless.mjs

examples/vanilla/node_modules/.installed: examples/vanilla/package.json examples/vanilla/package-lock.json
	npm ci --prefix examples/vanilla --no-audit --no-fund
	@touch $@

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target $(WASM_TARGET) --lib -- -D warnings
	cargo clippy --target $(WASM_TARGET) --lib --no-default-features -- -D warnings

clean:
	cargo clean
	rm -rf pkg node_modules benches/node_modules
