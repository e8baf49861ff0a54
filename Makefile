# SPDX-License-Identifier: GPL-2.0-only
#
# A thin wrapper around meson + ninja.  `make demo` builds faultline and runs
# the bundled demo scenarios with --explain; `make test` runs every test in a
# normal (gcc), an ASan+UBSan and a clang build.  Both first check that the Debian packages
# the build needs are installed: as root under CI (CI=true) they are
# installed with apt-get, otherwise the command to install them is printed.

BUILD ?= build
ASAN_BUILD ?= build-asan
CLANG_BUILD ?= build-clang
DEPS := meson ninja-build pkg-config gcc clang liburcu-dev libcmocka-dev \
	libjansson-dev liburing-dev
FAULTLINE := $(BUILD)/tools/faultline

.PHONY: all deps demo test test-asan check-kernel clean

all: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@missing=""; for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && [ "$${CI:-}" = true ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "faultline needs these Debian packages:$$missing"; \
			echo "install them with: sudo apt-get install$$missing"; \
			exit 1; \
		fi; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false

$(CLANG_BUILD)/build.ninja:
	CC=clang meson setup $(CLANG_BUILD)

demo: all
	$(FAULTLINE) run --explain demo/*.scn

test: deps $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja $(CLANG_BUILD)/build.ninja
	scripts/run-tests.sh $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD)
