#!/bin/bash
# run.sh OUT TARGET...: `make fuzz`. Runs each libFuzzer binary
# OUT/bin/TARGET for $FUZZ_SECONDS (default 60) over a scratch corpus
# OUT/work/TARGET/corpus, seeded from test/fuzz/corpus/TARGET/ (which is
# never written), in fork mode so that a finding does not end the run
# ($FUZZ_JOBS jobs, default 1). Findings go to OUT/work/TARGET/ as
# crash-*, leak-*, timeout-*, oom-*. Prints one line per target and
# exits 1 when any target has a finding.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: run.sh OUT TARGET...}
shift
case $out in /*) ;; *) out=$PWD/$out ;; esac
secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LC_ALL=C TZ=UTC
found=0
printf '%-12s %10s %10s %8s %8s  %s\n' target execs exec/s corpus new findings
for t in "$@"; do
	bin=$out/bin/$t
	work=$out/work/$t
	rm -rf "$work"
	mkdir -p "$work/corpus"
	[ -d "$top/test/fuzz/corpus/$t" ] && cp "$top/test/fuzz/corpus/$t"/* "$work/corpus/" 2>/dev/null
	seeds=$(ls "$work/corpus" | wc -l)
	opts=
	[ -f "$top/test/fuzz/$t.dict" ] && opts="-dict=$top/test/fuzz/$t.dict"
	# targets that need a real file make it under TMPDIR (fuzz.h): keep
	# what a crashed run leaves behind in the work directory
	mkdir -p "$work/tmp"
	(cd "$work" && TMPDIR=$work/tmp "$bin" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 \
	    -ignore_ooms=1 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$work/" $opts corpus) >"$work/log" 2>&1
	# fork mode: "#N: cov: .. corp: C/.. exec/s: E oom/timeout/crash: a/b/c time: Ts"
	last=$(grep -E '^#[0-9]+: cov:' "$work/log" | tail -n 1)
	execs=$(echo "$last" | sed -nE 's/^#([0-9]+):.*/\1/p')
	t_s=$(echo "$last" | sed -nE 's/.* time: ([0-9]+)s.*/\1/p')
	rate=
	[ -n "$execs" ] && [ "${t_s:-0}" -gt 0 ] && rate=$((execs / t_s))
	corp=$(ls "$work/corpus" | wc -l)
	finds=$(cd "$work" && ls crash-* leak-* timeout-* oom-* slow-unit-* 2>/dev/null | grep -v '^slow' | tr '\n' ' ')
	printf '%-12s %10s %10s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" \
	    "$corp" "$((corp - seeds))" "${finds:-none}"
	[ -z "$finds" ] || found=1
done
echo "# logs, corpora and findings: $out/work/TARGET/"
exit $found
