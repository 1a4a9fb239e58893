# SPDX-License-Identifier: GPL-2.0
#
# m2msec: top-level build.
#
#   make               m2msec.ko (for KDIR) and the userspace programs
#   make demo          install dependencies, build, run the demo in the VM
#   make check         install dependencies, build, run every test
#   make build-check   W=1 builds for the pinned Debian 6.12 and 6.1 kernels
#   make deps          install dependencies (root)
#
# KDIR defaults to the running kernel's build tree when it exists, else to
# the pinned Debian 6.12 headers recorded by scripts/deps.sh.

M2MSEC_CACHE ?= /var/cache/m2msec
-include $(M2MSEC_CACHE)/kernel.env

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
	$(MAKE) user

build-check:
	scripts/build-check.sh

deps:
	scripts/deps.sh

check: deps
	$(MAKE) --no-print-directory check-run

check-run: vm-build
	scripts/check.sh

demo: deps
	$(MAKE) --no-print-directory vm-build
	scripts/demo.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C user clean
	$(MAKE) -C selftests clean
	rm -rf .vm

.PHONY: all module user vm-build build-check deps check check-run demo clean

# Concurrent syscall stress in the VM (selftests/stress.sh); `make check`
# runs it for two minutes as part of the VM tests.  STRESS_VM_ARGS goes to
# scripts/vm-run.sh as is (e.g. the debug kernel, --append slub_debug=FZPU).
DURATION ?= 600
STRESS_VM_ARGS ?=
stress: vm-build
	M2MSEC_STRESS_SECONDS=$(DURATION) scripts/vm-run.sh \
		--timeout $$(( $(DURATION) + 600 )) --module m2msec.ko \
		$(STRESS_VM_ARGS) -- selftests/stress.sh

.PHONY: stress
