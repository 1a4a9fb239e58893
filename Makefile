# SPDX-License-Identifier: GPL-2.0
#
# m2msec: top-level build.
#
#   make               m2msec.ko (for KDIR) and the userspace programs
#   make demo          install dependencies, build, run the demo in the VM
#   make check         install dependencies, build, run every test
#   make build-check   W=1 builds for the pinned Debian 6.12 and 6.1 kernels
#   make debug-kernel  build (once, cached) the debug test kernel
#   make vm-build-debug  .vm/debug/m2msec.ko for the debug kernel (W=1, no
#                      warnings allowed)
#   make deps          install dependencies (root)
#
# KDIR defaults to the running kernel's build tree when it exists, else to
# the pinned Debian 6.12 headers recorded by scripts/deps.sh.

M2MSEC_CACHE ?= /var/cache/m2msec
-include $(M2MSEC_CACHE)/kernel.env

# KERNEL_SRC (Yocto's module class) names the kernel build tree too.
ifneq ($(KERNEL_SRC),)
KDIR ?= $(KERNEL_SRC)
endif
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
VM_KDIR      := /usr/src/linux-headers-$(KVER)
KDIR61       := /usr/src/linux-headers-$(KVER61)
ifneq ($(wildcard $(RUNNING_KDIR)/Makefile),)
KDIR ?= $(RUNNING_KDIR)
else
KDIR ?= $(VM_KDIR)
endif

all: module user

module:
	@test -d "$(KDIR)" || { echo "no kernel build tree at '$(KDIR)': run 'make deps' (or pass KDIR=)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

user:
	$(MAKE) -C user
	$(MAKE) -C selftests

# The module the VM loads must match the kernel it boots.
vm-build:
	$(MAKE) module KDIR=$(VM_KDIR)
	$(MAKE) user WERROR=-Werror

# The debug test kernel (KASAN, UBSAN, KFENCE, lockdep, kmemleak, ...),
# cached under $(M2MSEC_CACHE)/kdebug; see Documentation/testing.md.
debug-kernel:
	scripts/build-debug-kernel.sh

# m2msec.ko for the debug kernel. An external module build writes its
# objects next to the sources, so it builds from a copy under .vm/debug/src
# and leaves the tree's own m2msec.ko (the stock kernel's) alone. W=1; any
# compiler warning fails the build.
DEBUG_DIR := .vm/debug
vm-build-debug: debug-kernel
	@kd=$$(scripts/build-debug-kernel.sh --dir) || exit 1; \
	set -e; mkdir -p $(DEBUG_DIR)/src; \
	rm -rf $(DEBUG_DIR)/src/kmod $(DEBUG_DIR)/src/include; \
	cp -r Kbuild kmod include $(DEBUG_DIR)/src/; \
	echo "  building m2msec.ko for the debug kernel ($$kd)"; \
	if ! $(MAKE) -C $$kd/build M=$(CURDIR)/$(DEBUG_DIR)/src W=1 modules >$(DEBUG_DIR)/build.log 2>&1; then \
		tail -n 30 $(DEBUG_DIR)/build.log; echo "vm-build-debug: build failed ($(DEBUG_DIR)/build.log)"; exit 1; fi; \
	if grep -E 'warning:|error:' $(DEBUG_DIR)/build.log; then \
		echo "vm-build-debug: W=1 warnings (see $(DEBUG_DIR)/build.log)"; exit 1; fi; \
	cp $(DEBUG_DIR)/src/m2msec.ko $(DEBUG_DIR)/m2msec.ko; \
	echo "  $(DEBUG_DIR)/m2msec.ko: W=1, no warnings"

# Installation: the module through the kernel's modules_install (under
# lib/modules/<release>/updates), the programs, man pages, the UAPI header
# and the systemd unit through user/Makefile, with libm2msec (shared and
# static, headers, m2msec.pc).  DESTDIR, PREFIX, BINDIR, SBINDIR, MANDIR,
# INCLUDEDIR, LIBDIR, PKGCONFIGDIR, DOCDIR and UNITDIR are honoured.  The module
# is compressed as the kernel's configuration says; it is signed only with
# MODULE_SIG_ALL=y and the kernel tree's signing key (a distribution signs
# with its own tooling, DKMS with its MOK).
MODULE_SIG_ALL ?=
install: install-module install-user

install-module modules_install:
	@test -f m2msec.ko || { echo "install: build the module first (make, or make KDIR=...)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		CONFIG_MODULE_SIG_ALL=$(MODULE_SIG_ALL) modules_install

install-user:
	$(MAKE) -C user install

# The DKMS source tree: Kbuild, kmod/, include/ and dkms.conf under
# $(DESTDIR)/usr/src/m2msec-<version> (then: dkms add/build/install).
VERSION := $(shell sed -n 's/^\#define M2MSEC_VERSION "\(.*\)"$$/\1/p' kmod/version.h)
DKMS_SRC = $(DESTDIR)/usr/src/m2msec-$(VERSION)
dkms-source:
	@grep -q '^PACKAGE_VERSION="$(VERSION)"$$' dkms.conf || { echo "dkms.conf: PACKAGE_VERSION is not $(VERSION) (kmod/version.h)" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include/uapi/linux
	install -m 0644 Kbuild dkms.conf COPYING $(DKMS_SRC)/
	install -m 0644 kmod/*.c kmod/*.h $(DKMS_SRC)/kmod/
	install -m 0644 include/uapi/linux/m2msec.h $(DKMS_SRC)/include/uapi/linux/

build-check:
	scripts/build-check.sh

deps:
	scripts/deps.sh

check: deps
	$(MAKE) --no-print-directory check-run

check-run: vm-build vm-build-debug
	scripts/check.sh

demo: deps
	$(MAKE) --no-print-directory vm-build
	scripts/demo.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C user clean
	$(MAKE) -C selftests clean
	rm -rf .vm

.PHONY: all module user vm-build vm-build-debug debug-kernel build-check deps check check-run demo clean \
	install install-module modules_install install-user dkms-source

# Concurrent syscall stress in the VM (selftests/stress.sh) on the debug
# kernel; `make check` runs it for two minutes as part of the VM tests.
# STRESS_VM_ARGS goes to scripts/vm-run.sh as is (e.g. --stock --module
# m2msec.ko after `make vm-build`, for the production kernel).
DURATION ?= 600
STRESS_VM_ARGS ?= --debug --module $(DEBUG_DIR)/m2msec.ko
stress: vm-build vm-build-debug
	M2MSEC_STRESS_SECONDS=$(DURATION) scripts/vm-run.sh \
		--timeout $$(( $(DURATION) * 2 + 900 )) \
		$(STRESS_VM_ARGS) -- selftests/stress.sh

.PHONY: stress
