#!/usr/bin/env bash
# check-external-image.sh - prove that a broken AXVDSO_EXTERNAL_IMAGE fails
# the build with the validator's message, and an intact one builds.
#
# Usage: scripts/check-external-image.sh
#
# Builds only the axvdso-image crate (its build.rs is where an external image
# is read and validated) for riscv64gc-unknown-none-elf, with cargo +stable,
# in target/ (a few seconds once built):
# [1/4] our own image (scripts/dump-vdso.sh), copied to target/extimage-check/
# [2/4] the intact copy as AXVDSO_EXTERNAL_IMAGE: the build must succeed
# [3/4] a copy with e_type = ET_EXEC: the build must fail saying
#       "vDSO image <path>: e_type is 2, expected ET_DYN (3)"
# [4/4] a copy whose version node reads LINUX_4.16: the build must fail
#       saying "... verdef does not define version node LINUX_4.15"
# The same messages stop `make build VDSO=linux` when Linux's image is bad.
#
# Ends with "extimage: N passed, M failed"; exits 1 on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$ROOT/target/extimage-check
TARGET=riscv64gc-unknown-none-elf
say() { printf '\033[1;34m[extimage]\033[0m %s\n' "$*"; }
passed=0 failed=0
result() { # OK WHAT
    if [ "$1" = 1 ]; then passed=$((passed + 1)); echo "PASS extimage: $2"
    else failed=$((failed + 1)); echo "FAIL extimage: $2"; fi
}
build_with() { # IMAGE -> cargo's stderr in $DIR/cargo.err, status returned
    (cd "$ROOT" && AXVDSO_EXTERNAL_IMAGE=$1 cargo +stable build --quiet -p axvdso-image \
        --target "$TARGET") 2> "$DIR/cargo.err"
}

say "[1/4] our image"
mkdir -p "$DIR"
"$ROOT/scripts/dump-vdso.sh" riscv64 >/dev/null
cp "$ROOT/target/vdso/riscv64/vdso.so" "$DIR/intact.so"

say "[2/4] intact copy"
if build_with "$DIR/intact.so"; then ok=1; else ok=0; sed 's/^/    /' "$DIR/cargo.err"; fi
result $ok "an intact external image builds"

expect_failure() { # IMAGE MESSAGE WHAT
    if build_with "$1"; then
        result 0 "$3: the build succeeded"
    elif grep -qF "vDSO image $1: $2" "$DIR/cargo.err"; then
        result 1 "$3: the build fails with \"vDSO image <path>: $2\""
    else
        sed 's/^/    /' "$DIR/cargo.err" | tail -n 15
        result 0 "$3: the build failed, but without \"vDSO image $1: $2\""
    fi
}

say "[3/4] e_type = ET_EXEC"
cp "$DIR/intact.so" "$DIR/exec.so"
printf '\x02' | dd of="$DIR/exec.so" bs=1 seek=16 conv=notrunc status=none
expect_failure "$DIR/exec.so" "e_type is 2, expected ET_DYN (3)" "ET_EXEC image"

say "[4/4] version node renamed"
python3 - "$DIR/intact.so" "$DIR/version.so" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
assert data.count(b"LINUX_4.15\0") == 1, "expected one LINUX_4.15 string"
open(sys.argv[2], "wb").write(data.replace(b"LINUX_4.15\0", b"LINUX_4.16\0"))
EOF
expect_failure "$DIR/version.so" "verdef does not define version node LINUX_4.15" "renamed version node"

# Leave axvdso-image's riscv64 build as make vdso expects it (our own image).
(cd "$ROOT" && env -u AXVDSO_EXTERNAL_IMAGE cargo +stable build --quiet -p axvdso-image --target "$TARGET")
echo "extimage: $passed passed, $failed failed"
[ "$failed" = 0 ]
