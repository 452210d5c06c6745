# cardless - the README's commands. Every target installs what is missing first (Debian 12,
# apt-get), so a fresh machine needs nothing done by hand.
#   make demo    release build, then the end-to-end scenario (scripts/demo.sh)
#   make test    Debug build with ASan+UBSan, every test through ctest (summary last)
#   make bench   release build, benchmarks: a table and build/bench.json
#   make fuzz    libFuzzer harnesses with clang, each for FUZZ_SECONDS (default 60)

SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60

DEB_BUILD := cmake ninja-build pkg-config gcc libc6-dev make openssl ca-certificates \
             libssl-dev libcbor-dev libjansson-dev zlib1g-dev libcmocka-dev libqrencode-dev jq \
             python3 zbar-tools
DEB_FUZZ := clang libclang-rt-14-dev

.PHONY: all deps interop-deps bench-deps demo test bench fuzz release debug clean format

all: release

deps:
	@scripts/install-deps.sh $(DEB_BUILD)

# npm peers for the interoperability tests (tests/interop/package-lock.json pins them).
interop-deps: deps
	@if [ -f tests/interop/package-lock.json ]; then \
	    command -v node >/dev/null && command -v npm >/dev/null || scripts/install-deps.sh nodejs npm; \
	    if [ ! -f tests/interop/node_modules/.package-lock.json ] || \
	       [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then \
	        echo "interop: npm ci (tests/interop)"; \
	        (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error); \
	    fi; \
	fi

# npm peer for the benchmarks (json-rules-engine, pinned by bench/peer/package-lock.json).
bench-deps: deps
	@command -v node >/dev/null && command -v npm >/dev/null || scripts/install-deps.sh nodejs npm
	@for d in bench/peer tests/interop; do \
	    if [ -f $$d/package-lock.json ] && { [ ! -f $$d/node_modules/.package-lock.json ] || \
	       [ $$d/package-lock.json -nt $$d/node_modules/.package-lock.json ]; }; then \
	        echo "bench: npm ci ($$d)"; (cd $$d && npm ci --no-audit --no-fund --loglevel=error); \
	    fi; \
	done

$(BUILD)/release/build.ninja: | deps
	cmake -S . -B $(BUILD)/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCARDLESS_TESTS=OFF

release: deps $(BUILD)/release/build.ninja
	cmake --build $(BUILD)/release -j $(JOBS)

$(BUILD)/debug/build.ninja: | deps
	cmake -S . -B $(BUILD)/debug -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCARDLESS_SANITIZE=ON

debug: deps $(BUILD)/debug/build.ninja
	cmake --build $(BUILD)/debug -j $(JOBS)

demo: release
	@scripts/demo.sh $(BUILD)/release/cardless $(BUILD)/demo

test: debug interop-deps
	cd $(BUILD)/debug && ctest --output-on-failure -j $(JOBS)

bench: release bench-deps
	@bench/run.sh $(BUILD)/release $(BUILD)/bench.json

fuzz: deps
	@scripts/install-deps.sh $(DEB_FUZZ)
	CC=clang cmake -S . -B $(BUILD)/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCARDLESS_FUZZ=ON -DCARDLESS_WERROR=OFF
	cmake --build $(BUILD)/fuzz -j $(JOBS)
	@scripts/fuzz.sh $(BUILD)/fuzz $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
