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
	out=$(mktemp)
	rc=0
	go test -run='^$' -fuzz="^${name}\$" -fuzztime="${FUZZTIME:-5s}" "$pkg" >"$out" 2>&1 || rc=$?
	cat "$out"
	if [ "$rc" -ne 0 ]; then
		# Go's fuzzing coordinator can end a run with a bare "context deadline exceeded" when
		# the time is up while a worker is busy on a loaded machine; a real failure names its
		# input (and writes it under testdata/fuzz). Only that bare case is run once more.
		if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
			echo "fuzz.sh: $name ended on the fuzzing deadline without a failing input; running it once more"
			go test -run='^$' -fuzz="^${name}\$" -fuzztime="${FUZZTIME:-5s}" "$pkg" || { rm -f "$out"; exit 1; }
		else
			rm -f "$out"
			exit 1
		fi
	fi
	rm -f "$out"
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
