# Benchmark: CPU seconds (user + sys, and user alone: the work that is
# rec-capture's own, such as the levels) and peak RSS to capture one hour of
# 48 kHz stereo S16 from the ALSA file source (alsa-lib's `file` plugin
# reading a 691 MB raw file over `null`: no pacing, so this measures the
# work, not the clock) into 60 s segments, side by side in the same run
# with `arecord --max-file-time 60` on the same source. Runs alternate,
# 3 each, medians, each after a sync. rec-capture fsyncs every segment,
# so the writeback of its pages is on its account; arecord's is done
# later by the kernel's flusher threads, on no one's. BENCH_SECONDS
# shortens the hour for a quick look. BENCH_BASE="[LABEL=]PATH ..." adds
# a row for each other rec-capture binary named (an earlier build, to
# compare a change with what it changes; LABEL names its row, spaces
# none), run in turn with the others.
set -eu
command -v arecord >/dev/null || { echo "arecord is not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed" >&2; exit 1; }
secs=${BENCH_SECONDS:-3600}
runs=${BENCH_RUNS:-3}
export HOME=$PWD

pacer -r 48000 -c 2 -f S16_LE -d "$secs" --seed 1 -n >in.raw
cat >.asoundrc <<EOT
pcm.benchsrc {
	type file
	slave.pcm "null"
	file "/dev/null"
	infile "$PWD/in.raw"
	format "raw"
}
EOT
cat in.raw >/dev/null			# warm the page cache

measure() {	# NAME CMD...: append "user sys rss_kib" to NAME.t
	local name=$1
	shift
	/usr/bin/time -f '%U %S %M' -o t.one "$@"
	cat t.one >>"$name.t"
}

for i in $(seq "$runs"); do
	rm -rf sp ar && mkdir ar
	sync			# start each run with no writeback pending
	measure rec rec-capture -q -D benchsrc -r 48000 -c 2 -f S16_LE \
		-d "$secs" -t 60 --spool sp --station bench
	if [ "$i" = 1 ]; then	# the capture is the input, bit for bit
		wavdump -p sp/seg/*.wav | cmp - in.raw >&2
	fi
	rm -rf sp
	k=0
	for b in ${BENCH_BASE:-}; do
		k=$((k + 1))
		sync
		measure "base$k" "${b#*=}" -q -D benchsrc -r 48000 -c 2 \
			-f S16_LE -d "$secs" -t 60 --spool sp --station bench
		rm -rf sp
	done
	sync
	measure arecord arecord -q -D benchsrc -f S16_LE -r 48000 -c 2 \
		-d "$secs" --max-file-time 60 ar/out.wav
	rm -rf ar
done

bases=
k=0
for b in ${BENCH_BASE:-}; do k=$((k + 1)); bases="$bases base$k"; done
for t in rec $bases arecord; do sed "s/^/$t: /" "$t.t" >&2; done	# the runs, in the log

median() {	# FILE COLUMN-EXPR
	awk "{ print $2 }" "$1" | sort -n | awk '{ v[NR] = $1 }
	    END { print v[int((NR + 1) / 2)] }'
}
row() {	# NAME LABEL
	printf '| %s | %.2f | %.2f | %.2f |\n' "$2" \
	    "$(median "$1.t" '$1 + $2')" "$(median "$1.t" '$1')" \
	    "$(median "$1.t" '$3 / 1024')"
}
echo "Capture of $secs s of 48 kHz stereo S16 (ALSA file source) into 60 s"
echo "segments; medians of $runs runs."
echo
echo "| tool | CPU s | user s | peak RSS MiB |"
echo "|---|---|---|---|"
row rec "rec-capture -t 60"
k=0
for b in ${BENCH_BASE:-}; do
	k=$((k + 1))
	case $b in
	*=*) label=${b%%=*} ;;
	*) label="$(basename "$b") (BENCH_BASE)" ;;
	esac
	row "base$k" "$label -t 60"
done
row arecord "arecord --max-file-time 60"
rm -f in.raw
