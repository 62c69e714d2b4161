# Thin wrapper around CMake. `make` builds build/switchboard; `make test` runs every test
# under AddressSanitizer + UBSan; `make run` sets up and starts switchboard.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
ARGS ?=

.PHONY: all build deps install uninstall deb test test-tsan run bench bench-proactive bench-share fuzz fuzz-smoke fuzz-build soak stress format lint e2e-claude clean

all: build

build:
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(CMAKE) --build build -j $(JOBS)

deps:
	@bash .ci/deps.sh

# make install [PREFIX=/usr/local] [DESTDIR=] : the binary, switchboard(1), example configs in
# share/switchboard/, bash completion, README, and the systemd user unit in
# SYSTEMD_USER_DIR (its ExecStart names PREFIX/bin/switchboard). For a per-user install:
#   make install PREFIX=$$HOME/.local SYSTEMD_USER_DIR=$$HOME/.local/share/systemd/user
# BUILD_DIR picks the build to install (default: build/, which `make` builds first).
PREFIX ?= /usr/local
DESTDIR ?=
BUILD_DIR ?= build
SYSTEMD_USER_DIR ?= $(PREFIX)/lib/systemd/user
install:
	@if [ "$(BUILD_DIR)" = build ]; then $(MAKE) --no-print-directory build; \
	else $(CMAKE) --build $(BUILD_DIR) -j $(JOBS) --target switchboard; fi
	@DESTDIR="$(DESTDIR)" SB_SYSTEMD_USER_DIR="$(SYSTEMD_USER_DIR)" \
	    $(CMAKE) --install $(BUILD_DIR) --prefix "$(PREFIX)"

# Removes exactly what install put there (the same PREFIX, DESTDIR and SYSTEMD_USER_DIR), and
# the directories that leaves empty; never a file switchboard did not install.
INSTALLED = bin/switchboard share/man/man1/switchboard.1 \
    share/switchboard/config.yaml share/switchboard/config.example.yaml \
    share/switchboard/config.litellm-minimal.yaml share/switchboard/env.example \
    share/bash-completion/completions/switchboard share/doc/switchboard/README.md \
    share/doc/switchboard/README-RU.md
uninstall:
	@for f in $(INSTALLED); do rm -fv "$(DESTDIR)$(PREFIX)/$$f"; done
	@rm -fv "$(DESTDIR)$(SYSTEMD_USER_DIR)/switchboard.service"
	@for d in share/switchboard share/doc/switchboard; do \
	    rmdir "$(DESTDIR)$(PREFIX)/$$d" 2>/dev/null || true; done

# make deb: a Debian package (build-deb/switchboard_VERSION_ARCH.deb) with make install's
# layout under /usr, built with Debian's hardening flags (dpkg-buildflags) and dpkg-deb;
# its Depends come from dpkg-shlibdeps. sudo apt install ./build-deb/switchboard_*.deb
deb:
	@bash .ci/deps.sh --deb
	@CFLAGS="$$(dpkg-buildflags --get CFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
	    LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" \
	    $(CMAKE) -S . -B build-deb -DCMAKE_BUILD_TYPE=None >/dev/null
	@$(CMAKE) --build build-deb -j $(JOBS) --target switchboard
	@bash assets/packaging/mkdeb.sh build-deb build-deb

test:
	@bash .ci/deps.sh --test
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=ON >/dev/null
	@$(CMAKE) --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	@$(MAKE) --no-print-directory fuzz-smoke

# A bounded libFuzzer run of every target (FUZZ_SMOKE_SECONDS each) as part of `make test`;
# a crash fails it. Skipped, with a note, where clang cannot link libFuzzer.
FUZZ_SMOKE_SECONDS ?= 10
fuzz-smoke:
	@if printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	    clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory fuzz-build && \
	    bash tests/fuzz/run.sh build-fuzz $(FUZZ_SMOKE_SECONDS); \
	else \
	    echo "note: clang with libFuzzer (clang, libclang-rt-14-dev) not found: fuzz smoke run skipped"; \
	fi

fuzz-build:
	@CC=clang $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DSB_FUZZ=ON >/dev/null
	@$(CMAKE) --build build-fuzz -j $(JOBS) --target fuzz_targets

# Integration tests against TSan builds of switchboard and the mock. Every report goes to a
# file under build-tsan/tsan-reports (the programs' own stderr is often a test's log that
# nobody reads), and any report fails the target. tests/tsan.supp holds one entry, a race
# inside civetweb (gmtime), and none for libcurl or switchboard.
TSAN_REPORTS = $(CURDIR)/build-tsan/tsan-reports
test-tsan:
	@bash .ci/deps.sh --test
	@$(CMAKE) -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DSB_TSAN=ON >/dev/null
	@$(CMAKE) --build build-tsan -j $(JOBS)
	@rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	@cd build-tsan && rc=0; \
	    TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:history_size=4:suppressions=$(CURDIR)/tests/tsan.supp:log_path=$(TSAN_REPORTS)/tsan" \
	    ctest --output-on-failure -L integration $(CTEST_ARGS) || rc=$$?; \
	    if ls $(TSAN_REPORTS)/tsan.* >/dev/null 2>&1; then \
	        cat $(TSAN_REPORTS)/tsan.*; \
	        echo "ThreadSanitizer: $$(grep -h '^SUMMARY' $(TSAN_REPORTS)/tsan.* | sort | uniq -c | sort -rn)"; \
	        rc=1; \
	    else echo "ThreadSanitizer: no reports"; fi; exit $$rc

release:
	@$(CMAKE) -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@$(CMAKE) --build build-release -j $(JOBS)

# With no provider key in the environment or in .env (and no --config in ARGS), `make run`
# starts the demo: simulated providers, nothing leaves the machine.
run: deps release
	@if [ -z "$$CEREBRAS_API_KEY$$ZAI_API_KEY" ] && \
	    ! grep -Eqs '^[[:space:]]*(export[[:space:]]+)?(CEREBRAS|ZAI)_API_KEY=[[:space:]]*["'"'"']?[^[:space:]#"'"'"']' .env && \
	    case " $(ARGS) " in *" --config"*|*" -c"*|*" --demo "*) false ;; *) true ;; esac; then \
	    echo "no CEREBRAS_API_KEY or ZAI_API_KEY (environment or .env): starting the demo with simulated providers"; \
	    exec ./build-release/switchboard --demo $(ARGS); \
	fi; exec ./build-release/switchboard $(ARGS)

bench: deps release
	@bash tests/bench/run.sh build-release
	@PROACTIVE_STEPS=$${PROACTIVE_STEPS:-20} bash tests/bench/proactive.sh build-release
	@./build-release/tests/bench_shared $${SHARED_REQUESTS:-20000}

# Reactive vs proactive routing against a rate-limited Cerebras mock (about 3 minutes).
bench-proactive: deps release
	@bash tests/bench/proactive.sh build-release

# How much of a Claude-Code-like session runs on Cerebras (free-tier limits) against an
# offline oracle, proactive and reactive side by side (about 11 minutes; SHARE_SECONDS=N for
# a shorter session, SHARE_KEEP=1 to keep the logs).
bench-share: deps release
	@bash tests/bench/share.sh build-release

# Long fuzzing runs: FUZZ_SECONDS per target (default 300); new corpus entries stay in
# build-fuzz/tests/fuzz/work/corpus, reproducers of crashes in .../work/crashes.
fuzz:
	@bash .ci/deps.sh --test
	@$(MAKE) --no-print-directory fuzz-build
	@bash tests/fuzz/run.sh build-fuzz $${FUZZ_SECONDS:-300}

soak: deps release
	@bash tests/soak/run.sh build-release $${SOAK_SECONDS:-600}

# Mixed load until a fixed number of requests (issue 16): 1 KB OpenAI, 1 KB Anthropic
# (translated), 1 KB OpenAI streamed and ~100 KB Claude Code requests at once, at 64 and then
# 192 client connections, every 50th request hung up, against the release build, an ASan
# build and a TSan build (no suppressions). Fails on a crash, any sanitizer report, a
# transport error or a malformed answer; prints req/s, errors, RSS, connection reuse. The
# sanitizer builds run 5-20x slower, hence their smaller counts. See tests/stress/run.sh.
STRESS_REQUESTS ?= 2000000
STRESS_ASAN_REQUESTS ?= 200000
STRESS_TSAN_REQUESTS ?= 100000
stress: deps release
	@bash .ci/deps.sh --test
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=ON >/dev/null
	@$(CMAKE) --build build-asan -j $(JOBS) --target switchboard
	@$(CMAKE) -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DSB_TSAN=ON >/dev/null
	@$(CMAKE) --build build-tsan -j $(JOBS) --target switchboard
	@bash tests/stress/run.sh release build-release/switchboard build-release $(STRESS_REQUESTS)
	@bash tests/stress/run.sh asan build-asan/switchboard build-release $(STRESS_ASAN_REQUESTS)
	@bash tests/stress/run.sh tsan build-tsan/switchboard build-release $(STRESS_TSAN_REQUESTS)

e2e-claude: deps release
	@bash tests/e2e/claude_code.sh build-release

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

# Formatting, and the layer boundaries (tests/lint/layers.sh: which folder may include what).
lint:
	@git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
	@bash tests/lint/layers.sh

clean:
	@rm -rf build build-asan build-tsan build-release build-fuzz build-deb
