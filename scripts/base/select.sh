# select.sh - source the Starry base file that STARRY names.
#
# Sourced, with ROOT set, by the scripts that build, run, set up or patch a
# base: they read everything that differs per base from scripts/base/$STARRY.sh
# (STARRY=0.12|0.2, default 0.12; the Makefile passes it on).
STARRY=${STARRY:-0.12}
if [ ! -f "$ROOT/scripts/base/$STARRY.sh" ] || [ "$STARRY" = select ]; then
    echo "STARRY=$STARRY: no such base (scripts/base/: $(cd "$ROOT/scripts/base" && ls | grep -v '^select\.sh$' | sed 's/\.sh$//' | tr '\n' ' '))" >&2
    exit 1
fi
. "$ROOT/scripts/base/$STARRY.sh"
