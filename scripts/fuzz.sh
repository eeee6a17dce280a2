#!/bin/sh
# Runs every fuzz target for FUZZTIME (default 5s) each, one after the other.
# A failure stops the run with a non-zero status; Go writes the failing input under the
# package's testdata/fuzz/<FuzzName>/, where plain `go test` replays it from then on.
#
#   scripts/fuzz.sh                        # all targets, 5s each
#   FUZZTIME=1m scripts/fuzz.sh            # longer
#   scripts/fuzz.sh FuzzAppendFrame        # only the named targets
set -eu

cd "$(dirname "$0")/.."

ran=0
while read -r pkg name; do
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	echo "== $name ($pkg, ${FUZZTIME:-5s})"
	go test -run='^$' -fuzz="^${name}\$" -fuzztime="${FUZZTIME:-5s}" "$pkg"
	ran=$((ran + 1))
done <<TARGETS
. FuzzDecodeEvents
./internal/source/sqs FuzzDecodeSQSBody
./internal/sse FuzzAppendFrame
TARGETS

if [ "$ran" -eq 0 ]; then
	echo "fuzz.sh: no fuzz target named $*" >&2
	exit 2
fi
