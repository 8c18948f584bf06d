# axvdso - a Linux-compatible vDSO for Starry OS.
#
# Available arguments:
#   A         app to build: apps/vdso (the only one)                [apps/vdso]
#   STARRY    the Starry base: 0.12 (starry-kernel 0.12.1, today's
#             upstream) or 0.2 (starry-kernel 0.2.0-preview.1); what
#             differs per base is in scripts/base/$(STARRY).sh      [0.12]
#   ARCH      target architecture: riscv64 | aarch64 | x86_64 (the kernel
#             arches of the base; the vDSO image alone also builds for
#             loongarch64;
#             per-arch facts: scripts/arch.sh)                      [riscv64]
#   SMP       number of CPUs (kernel config and QEMU -smp)          [1]
#   LOG       kernel log level: off|error|warn|info|debug|trace     [warn]
#   INIT      init command line, e.g. INIT="/prog arg" (default: the test runner)
#   USER_DIR  directory copied onto the root of the guest disk
#   TIMEOUT   seconds before QEMU is stopped                        [120]
#   VDSO      the vDSO the kernel embeds: ours | linux (Linux 6.1's own
#             vdso.so for ARCH, built by scripts/linux-vdso.sh) | none (no
#             vDSO mapped; build/run only)                          [ours]
#   BENCH_ROUNDS  make bench: rounds, each booting the three kernels  [3]
#   BENCH_ICOUNT  make bench: 1 adds the icount boots (guest
#             instructions per call), 0 skips them                  [1]
#   V         V=1 echoes every command
#
# Targets:
#   setup     install toolchains, QEMU, cross compilers (idempotent; run by the others)
#   build     patched Starry + vDSO kernel image:
#             build/$(ARCH)[-starry0.12][-linuxvdso|-novdso][-smpN]/starry.bin
#   disk      guest programs + ext4 root image: build/$(ARCH)/disk.img
#   vdso      the vDSO image for ARCH: target/vdso/$(ARCH)/vdso.so
#   linux-vdso  Linux 6.1's vDSO for ARCH, from Debian's source:
#             build/linux-vdso/$(ARCH)/vdso.so
#   run       build, disk, boot QEMU; with the default INIT, judge the markers
#   justrun   boot QEMU with what is built
#   test      lint, host tests of every crate, then the QEMU end-to-end checks
#   lint      cargo fmt --check and clippy -D warnings on every crate (the
#             vDSO crate for every arch of axvdso-abi's table, feature-less
#             builds too), cargo doc,
#             and the patch series: applies to the pristine crates, leaves the
#             files it touches rustfmt-clean (scripts/check-series.sh)
#   unittest  host tests only: cargo test --workspace, loom, extimage, then
#             scripts/test-execcost.py (the insn-count plugin builds; the
#             execcost report turns known counts into the right phases and
#             fails on a broken console)
#   loom      the loom model of the vvar seqcount (axvdso-vvar tests/loom_seq.rs):
#             one writer against one reader, every interleaving up to
#             LOOM_MAX_PREEMPTIONS (environment, default 3) preemptions
#   extimage  a broken AXVDSO_EXTERNAL_IMAGE must fail the axvdso-image build
#             with the validator's message (scripts/check-external-image.sh)
#   e2e       QEMU end-to-end checks only: SMP=1 and SMP=4, with our vDSO and
#             with Linux's (VDSO=linux);  e2e-smp1: SMP=1 only, both images;
#             e2e-ours: SMP=1 and SMP=4, our image only (x86_64)
#   bench     ns per call of the vDSO, libc and syscall paths, ours against
#             Linux's vdso.so, and exec with and without the vDSO: builds the
#             three kernels (VDSO=ours|linux|none) and
#             build/$(ARCH)/bench-disk.img (runner.list: /bin/bench), then
#             (scripts/bench.sh) boots them in turn, ours, linux, none, for
#             BENCH_ROUNDS rounds (in each boot /bin/bench measures the calls
#             in 12 fresh processes; on ours each also runs Linux's image at
#             our base, batch for batch: the same-process ratio), and with
#             BENCH_ICOUNT=1 once more each
#             under QEMU's -icount shift=0, where each figure is a count of
#             guest instructions per call; prints the table, the per-round
#             ratios and the BENCH lines: medians over the rounds
#             (scripts/bench-report.py). About 6-7 min with the defaults
#             on a shared 2-core host
#   execcost  exec phase by phase (fork; execve to main: the kernel, the exec
#             hooks, libc's start-up; exit) in guest instructions, user and
#             kernel apart, for a no-libc, a static and a dynamic glibc
#             program, on the three kernels (riscv64, aarch64: x86_64 has no
#             Linux image): QEMU with the insn-count plugin
#             (scripts/insn-count.c, scripts/execcost.sh); disk
#             build/$(ARCH)/execcost-disk.img (runner.list: /bin/execcost)
#   fmt       cargo fmt;  clippy: cargo clippy -D warnings;  doc: cargo doc
#   patches   re-export patches/starry-$(STARRY)/ from the base's dev trees
#             (build/starry-dev, build/starry-0.12/dev; see scripts/starry-dev.sh)
#   clean     remove build/ and target/

A        ?= apps/vdso
STARRY   ?= 0.12
ARCH     ?= riscv64
SMP      ?= 1
LOG      ?= warn
INIT     ?=
USER_DIR ?=
TIMEOUT  ?= 120
VDSO     ?= ours
V        ?=

ifneq ($(A),apps/vdso)
  $(error A=$(A): the only app is apps/vdso)
endif

ROOT      := $(CURDIR)
BUILD     := $(ROOT)/build
# The Starry base: the scripts read it from scripts/base/$(STARRY).sh; here
# only its build-directory suffix.
ifeq ($(wildcard scripts/base/$(STARRY).sh),)
  $(error STARRY=$(STARRY): no scripts/base/$(STARRY).sh (the bases: 0.2, 0.12))
endif
BASE_SUFFIX   := $(shell bash -c 'ROOT=$(ROOT); . scripts/base/$(STARRY).sh && printf %s "$$BASE_SUFFIX"')
# 1: each CPU count is a kernel build of its own (0.2); 0: one build boots
# with any count up to its capacity (0.12).
SMP_PER_BUILD := $(shell bash -c 'ROOT=$(ROOT); . scripts/base/$(STARRY).sh && printf %s "$$SMP_PER_BUILD"')
# The kernel and guest run on the base's arches (scripts/base/$(STARRY).sh);
# the vDSO image builds for every arch of axvdso-abi's table.
KERNEL_ARCHS := $(shell bash -c 'ROOT=$(ROOT); . scripts/base/$(STARRY).sh && printf %s "$$BASE_ARCHES"')
VDSO_ARCHS   := riscv64 aarch64 x86_64 loongarch64
ifeq ($(filter $(ARCH),$(VDSO_ARCHS)),)
  $(error ARCH=$(ARCH) is not supported: kernel on $(KERNEL_ARCHS) (STARRY=$(STARRY)), vDSO image on $(VDSO_ARCHS))
endif
check_kernel_arch = $(if $(filter $(ARCH),$(KERNEL_ARCHS)),,$(error ARCH=$(ARCH): the $(STARRY) kernel runs on $(KERNEL_ARCHS) only))
LINUX_VDSO := $(BUILD)/linux-vdso/$(ARCH)/vdso.so
# Each VDSO variant has its own build directory, and so does each SMP where
# the CPU count is a build choice (SMP_PER_BUILD): the kernel directory for
# variant $(1) is $(call kdir,$(1)). Each run's console log is named for its
# CPU count.
vdso_suffix_ours  :=
vdso_suffix_linux := -linuxvdso
vdso_suffix_none  := -novdso
vdso_env_ours     := AXVDSO_EXTERNAL_IMAGE=
vdso_env_linux    := AXVDSO_EXTERNAL_IMAGE=$(LINUX_VDSO)
vdso_env_none     := AXVDSO_EXTERNAL_IMAGE= WITH_VDSO=0
ifeq ($(filter $(VDSO),ours linux none),)
  $(error VDSO=$(VDSO): ours, linux or none)
endif
kdir = $(BUILD)/$(ARCH)$(BASE_SUFFIX)$(vdso_suffix_$(1))$(if $(filter 1,$(SMP_PER_BUILD)),$(if $(filter-out 1,$(SMP)),-smp$(SMP)))
KDIR      := $(call kdir,$(VDSO))
KERNEL    := $(KDIR)/starry.bin
CONSOLE   := $(KDIR)/console$(if $(filter-out 1,$(SMP)),-smp$(SMP)).log
# The guest disk is rebuilt when a guest source or the scripts that build it
# change; with USER_DIR it is another image, rebuilt every time.
DISK      := $(BUILD)/$(ARCH)/disk$(if $(USER_DIR),-user).img
DISK_INPUTS := $(shell find apps/vdso/user -type f -not -path '*/target/*') \
               scripts/mkdisk.sh scripts/selftests.sh scripts/linux-source.sh scripts/arch.sh
BENCH_DISK := $(BUILD)/$(ARCH)/bench-disk.img
EXECCOST_DISK := $(BUILD)/$(ARCH)/execcost-disk.img
BENCH_ROUNDS ?= 3
BENCH_ICOUNT ?= 1
SETUP     := $(BUILD)/.setup-done$(BASE_SUFFIX)
# The guest suite: apps/vdso/user/programs.list (path, name it reports as).
PROGRAMS_LIST := apps/vdso/user/programs.list
GUEST_PROGS := $(shell awk '!/^\#/ && NF == 2 && $$2 != "selftest" { print $$2 }' $(PROGRAMS_LIST))
SELFTESTS   := $(shell awk '!/^\#/ && NF == 2 && $$2 == "selftest" { sub("^/selftests/", "", $$1); print $$1 }' $(PROGRAMS_LIST))
# The skips that are expected, per arch, and why. Linux 6.1's copies of
# getcpu and gettimeofday look up version LINUX_2.6 (x86's node) on riscv64:
# Linux's own riscv64 vDSO (LINUX_4.15) makes them skip too; 6.12's look up
# the arch's node and must pass. arm64's vDSO (Linux's and ours) has no
# getcpu. getrandom: Linux's 6.1 images have none (riscv64's has it from
# 6.16, arm64's from 6.12, x86_64's from 6.11); ours has it on all three.
SELFTEST_SKIP_OK_riscv64 := "6.1/vdso_test_getcpu=the 6.1 test looks up x86's version node LINUX_2.6" \
                            "6.1/vdso_test_gettimeofday=the 6.1 test looks up x86's version node LINUX_2.6" \
                            $(if $(filter linux,$(VDSO)),"6.12/vdso_test_getrandom=Linux's 6.1 image has no __vdso_getrandom (riscv64's has it from 6.16)")
SELFTEST_SKIP_OK_aarch64 := "6.1/vdso_test_getcpu=arm64's vDSO has no getcpu (Linux's neither)" \
                            "6.12/vdso_test_getcpu=arm64's vDSO has no getcpu (Linux's neither)" \
                            $(if $(filter linux,$(VDSO)),"6.12/vdso_test_getrandom=Linux's 6.1 image has no __kernel_getrandom (arm64's has it from 6.12)")
SELFTEST_SKIP_OK_x86_64  :=
SELFTEST_SKIP_OK := $(SELFTEST_SKIP_OK_$(ARCH))
# Expected failures, with the exact line each prints, and why. Our riscv64
# image has getrandom, but 6.12's test never calls it there: it sizes its
# state pool by sysconf(_SC_LEVEL1_DCACHE_LINESIZE) with `?: 1` for 0, and
# Debian's glibc 2.36 answers -1 on riscv64 (seen on Starry), so the size
# rounds to 0 bytes and its mmap fails ("state"). Our own vdso-getrandom
# test covers getrandom on riscv64.
SELFTEST_FAIL_OK_riscv64 := $(if $(filter ours,$(VDSO)),"6.12/vdso_test_getrandom=Bail out! Assertion failed: state=glibc 2.36 gives -1 for the L1 line size on riscv64: the test maps 0 bytes for its states")
# On aarch64 and x86_64 it passes its getrandom part with our image, then asserts that
# unshare(CLONE_NEWTIME) works for its time-namespace part (which would also
# ptrace the child): Starry has neither.
SELFTEST_FAIL_OK_aarch64 := $(if $(filter ours,$(VDSO)),"6.12/vdso_test_getrandom=Bail out! Assertion failed: unshare(CLONE_NEWTIME) == 0=its time-namespace part needs CLONE_NEWTIME and ptrace (Starry has neither)")
SELFTEST_FAIL_OK_x86_64  := $(SELFTEST_FAIL_OK_aarch64)
SELFTEST_FAIL_OK := $(SELFTEST_FAIL_OK_$(ARCH))

export STARRY ARCH SMP LOG TIMEOUT INIT
Q := $(if $(V),,@)
run_cmd = $(if $(V),,@printf '\033[1;32m%s\033[0m %s\n' "$(1)" "$(2)";)

FORCE:
.PHONY: FORCE all setup build disk vdso linux-vdso run justrun test lint unittest loom extimage e2e e2e-smp1 e2e-ours bench execcost three-kernels fmt clippy doc patches clean

all: build

$(SETUP): scripts/setup.sh scripts/arch.sh scripts/base/$(STARRY).sh
	$(call run_cmd,SETUP,toolchains and packages)
	$(Q)scripts/setup.sh

setup: $(SETUP)

build: $(SETUP) $(if $(filter linux,$(VDSO)),linux-vdso)
	$(call check_kernel_arch)
	$(call run_cmd,BUILD,$(KERNEL) (STARRY=$(STARRY) VDSO=$(VDSO)))
	$(Q)BUILD_DIR=$(KDIR) $(vdso_env_$(VDSO)) scripts/build-kernel.sh

disk: $(DISK)

$(DISK): $(SETUP) $(DISK_INPUTS) $(if $(USER_DIR),FORCE)
	$(call check_kernel_arch)
	$(call run_cmd,DISK,$(DISK)$(if $(USER_DIR), + $(USER_DIR)))
	$(Q)scripts/mkdisk.sh $(DISK) $(USER_DIR)

vdso: $(SETUP)
	$(call run_cmd,VDSO,target/vdso/$(ARCH)/vdso.so)
	$(Q)scripts/dump-vdso.sh $(ARCH)

linux-vdso: $(SETUP)
	$(call check_kernel_arch)
	$(call run_cmd,LINUX-VDSO,$(LINUX_VDSO))
	$(Q)scripts/linux-vdso.sh $(dir $(LINUX_VDSO))

justrun:
	$(call check_kernel_arch)
	$(call run_cmd,RUN,qemu $(ARCH) -smp $(SMP) (STARRY=$(STARRY)))
	$(Q)scripts/run-qemu.sh $(KERNEL) $(DISK) $(CONSOLE)
ifeq ($(INIT),)
ifeq ($(VDSO),none)
	@echo "VDSO=none: the guest checks need a vDSO, so this run is not judged"
else
	$(Q)scripts/check-guest.py $(CONSOLE) --name smp$(SMP)$(vdso_suffix_$(VDSO)) --expect $(GUEST_PROGS) --selftests $(SELFTESTS) --skip-ok $(SELFTEST_SKIP_OK) --fail-ok $(SELFTEST_FAIL_OK)
endif
endif

run: build disk
	$(Q)$(MAKE) --no-print-directory justrun

unittest:
	$(call run_cmd,TEST,cargo test --workspace)
	$(Q)cargo test --workspace
	$(Q)$(MAKE) --no-print-directory loom
	$(Q)$(MAKE) --no-print-directory extimage
	$(call run_cmd,TEST,scripts/test-execcost.py)
	$(Q)scripts/test-execcost.py >/dev/null

# `--cfg loom` rebuilds every dependency: a target dir of its own keeps the
# normal one warm.
loom:
	$(call run_cmd,TEST,loom model of the vvar seqcount)
	$(Q)RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=$(ROOT)/target/loom \
	    cargo test -p axvdso-vvar --test loom_seq --release

extimage: $(SETUP)
	$(call run_cmd,TEST,external vDSO images: an intact one builds and broken ones fail)
	$(Q)scripts/check-external-image.sh

# The guest suite on one CPU, then on four (threads read the clock on every
# CPU), then both again with Linux's own vdso.so in place of ours (drop-in
# check).
e2e: $(SETUP)
	$(if $(filter none,$(VDSO)),$(error VDSO=none: there is no vDSO to test))
	$(Q)$(MAKE) --no-print-directory run SMP=1 INIT= USER_DIR=
	$(Q)$(MAKE) --no-print-directory run SMP=4 INIT= USER_DIR=
	$(Q)$(MAKE) --no-print-directory run SMP=1 VDSO=linux INIT= USER_DIR=
	$(Q)$(MAKE) --no-print-directory run SMP=4 VDSO=linux INIT= USER_DIR=

# The guest suite at SMP=1 only, with our image and Linux's: what make test
# runs where a second CPU count would cost another kernel build (0.2).
e2e-smp1: $(SETUP)
	$(if $(filter none,$(VDSO)),$(error VDSO=none: there is no vDSO to test))
	$(Q)$(MAKE) --no-print-directory run SMP=1 INIT= USER_DIR=
	$(Q)$(MAKE) --no-print-directory run SMP=1 VDSO=linux INIT= USER_DIR=

# The guest suite at SMP=1 and SMP=4 with our image only: where Linux's
# image cannot run on our data pages (x86_64).
e2e-ours: $(SETUP)
	$(Q)$(MAKE) --no-print-directory run SMP=1 VDSO=ours INIT= USER_DIR=
	$(Q)$(MAKE) --no-print-directory run SMP=4 VDSO=ours INIT= USER_DIR=

# Everything: lint (both series), host tests, then the guest suite per
# base and arch (TEST_E2E: base:arch:target), inside the 40-minute CI budget
# on two cores: the full e2e (SMP=1 and SMP=4, our image and Linux's) on the
# 0.12 base, where one kernel build serves both CPU counts; SMP=1 with both
# images on 0.2, where every CPU count is another kernel build (make e2e
# STARRY=0.2 ARCH=<arch> runs SMP=4 too); our image only on x86_64, where
# Linux's cannot use our data pages.
BASES := 0.2 0.12
TEST_E2E := 0.2:riscv64:e2e-smp1 0.12:riscv64:e2e 0.12:aarch64:e2e 0.2:aarch64:e2e-smp1 \
            0.12:x86_64:e2e-ours
test:
	$(Q)for b in $(BASES); do $(MAKE) --no-print-directory setup STARRY=$$b || exit; done
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)$(MAKE) --no-print-directory unittest
	$(Q)for t in $(TEST_E2E); do \
	    set -- $$(echo $$t | tr : ' '); \
	    $(MAKE) --no-print-directory $$3 STARRY=$$1 ARCH=$$2 || exit; \
	done

# The three kernels bench and execcost compare, each built only if out of
# date.
three-kernels: $(SETUP)
	$(call check_kernel_arch)
	$(Q)$(MAKE) --no-print-directory build VDSO=ours INIT=
	$(Q)$(MAKE) --no-print-directory build VDSO=linux INIT=
	$(Q)$(MAKE) --no-print-directory build VDSO=none INIT=

# One CPU by default (SMP=N applies). BENCH_ROUNDS rounds of three boots
# (ours, linux, none), then with BENCH_ICOUNT=1 one -icount boot of each
# (scripts/bench.sh).
bench: three-kernels
	$(call run_cmd,DISK,$(BENCH_DISK) (runner.list: /bin/bench))
	$(Q)RUNNER_LIST=/bin/bench LINUX_VDSO=$$(ls $(LINUX_VDSO) 2>/dev/null) scripts/mkdisk.sh $(BENCH_DISK) >/dev/null
	$(call run_cmd,BENCH,qemu $(ARCH) -smp $(SMP): VDSO=ours / linux / none x $(BENCH_ROUNDS) rounds$(if $(filter 1,$(BENCH_ICOUNT)), + icount))
	$(Q)BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_ICOUNT=$(BENCH_ICOUNT) \
	    scripts/bench.sh $(BENCH_DISK) $(call kdir,ours) $(call kdir,linux) $(call kdir,none)

# exec phase by phase in guest instructions (QEMU with scripts/insn-count.c).
execcost: three-kernels
	$(call run_cmd,DISK,$(EXECCOST_DISK) (runner.list: /bin/execcost))
	$(Q)RUNNER_LIST=/bin/execcost scripts/mkdisk.sh $(EXECCOST_DISK) >/dev/null
	$(call run_cmd,EXECCOST,qemu $(ARCH) -smp $(SMP) + insn-count plugin: VDSO=ours / linux / none)
	$(Q)scripts/execcost.sh $(EXECCOST_DISK) $(call kdir,ours) $(call kdir,linux) $(call kdir,none)

# Crates outside the workspace: the vDSO itself and the guest Rust program.
VDSO_CRATE  := crates/axvdso-image/vdso
RUST_GUEST  := apps/vdso/user/rust-clock

fmt:
	$(Q)cargo fmt --all
	$(Q)cd $(VDSO_CRATE) && cargo fmt
	$(Q)cd $(RUST_GUEST) && cargo fmt

lint: $(SETUP)
	$(call run_cmd,LINT,fmt --check; clippy -D warnings; doc)
	$(Q)cargo fmt --all --check
	$(Q)cd $(VDSO_CRATE) && cargo fmt --check
	$(Q)cd $(RUST_GUEST) && cargo fmt --check
	$(Q)$(MAKE) --no-print-directory clippy doc
	$(Q)for b in $(BASES); do STARRY=$$b scripts/check-series.sh || exit; done

clippy:
	$(Q)cargo clippy --workspace --all-targets -- -D warnings
	$(Q)cargo clippy -p axvdso-vvar -p axvdso-loader --no-default-features --all-targets -- -D warnings
	$(Q)targets=$$(cargo +stable run --quiet -p axvdso-abi --example vdso_target) || exit 1; \
	for t in $$targets; do \
	    (cd $(VDSO_CRATE) && $(ROOT)/scripts/cargo-bare.sh $$t clippy --quiet --locked --offline \
	        --target-dir $(ROOT)/target/vdso-clippy -- -D warnings) || exit 1; \
	done

doc:
	$(Q)RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps

patches:
	$(Q)scripts/starry-dev.sh export

clean:
	$(Q)rm -rf $(BUILD) target
