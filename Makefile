# SPDX-License-Identifier: GPL-2.0-only
#
# A thin wrapper around meson + ninja.  `make demo` builds faultline and runs
# the bundled demo scenarios with --explain; `make test` runs every test in a
# normal (gcc), an ASan+UBSan, a clang and a ThreadSanitizer build.  Both
# first check that the Debian packages the build needs are installed: as
# root under CI (CI=true) they are installed with apt-get, otherwise the
# command to install them is printed.

BUILD ?= build
ASAN_BUILD ?= build-asan
CLANG_BUILD ?= build-clang
TSAN_BUILD ?= build-tsan
DEPS := meson ninja-build pkg-config gcc clang libclang-rt-dev liburcu-dev \
	libcmocka-dev libjansson-dev liburing-dev
FAULTLINE := $(BUILD)/tools/faultline

.PHONY: all deps demo test test-asan check-kernel check-vm vm-deps clean

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

# ThreadSanitizer: the wait-queue tests run real threads (clang's runtime).
$(TSAN_BUILD)/build.ninja:
	CC=clang meson setup $(TSAN_BUILD) -Db_sanitize=thread -Db_lundef=false

demo: all
	$(FAULTLINE) run --explain demo/*.scn

test: deps $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja $(CLANG_BUILD)/build.ninja \
		$(TSAN_BUILD)/build.ninja
	scripts/run-tests.sh $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD) $(TSAN_BUILD)

# `make check-vm`: the DAX scenarios on Debian's Linux 6.1 in a QEMU guest
# (issue 7; scripts/vm/).  As root under CI the host tools are installed;
# otherwise a missing one is named, and check --vm reports every scenario
# "skipped:" with the reason.  The kernel .deb is fetched with apt-get
# download into $(FAULTLINE_VM_CACHE) (default /var/tmp/faultline-vm) and
# never installed.
VM_DEPS := qemu-system-x86 busybox-static e2fsprogs xfsprogs ndctl cpio
VM_FLAGS ?=

vm-deps:
	@$(MAKE) --no-print-directory deps DEPS="$(VM_DEPS)" || \
		echo "check-vm: without them every scenario is skipped"

check-vm: all vm-deps
	$(FAULTLINE) check --vm $(VM_FLAGS) $$(scripts/vm/dax-scenarios.sh)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD) $(TSAN_BUILD)
