# rec-archive under kill -9: at every step of the commit recipe (a test
# hook) and at random moments during runs over many segments. Right after
# a kill every segment is in seg/ or in a complete archive in out/ (never
# neither, never a half archive); after the next run, in exactly one.
. "$REC_TOP/test/lib.sh"
check() { python3 "$REC_TOP/test/helpers/archcheck.py" "$@"; }

setup() {
	rm -rf sp orig uploaded new
	mkdir -p sp/seg orig uploaded new
	mkseg -n ${1:-6} -l ${2:-4800} -x $(rnd 1000) sp/seg
	cp sp/seg/*.wav orig/
}

for codec in wav flac; do
	for step in staged part sums idx commit remove; do
		[ $codec = wav ] && [ $step = staged ] && continue
		say "$codec: killed at '$step'"
		setup
		rc=0
		REC_TEST_CRASH=$step rec-archive -q --spool sp --codec $codec \
			--max-bytes 60K || rc=$?
		[ $rc = 137 ] || fail "expected a kill (137), got $rc"
		check --crashed sp orig
		rec-archive -q --spool sp --codec $codec --max-bytes 60K
		check sp orig
	done
done

say "killed after the commit, then uploaded by rec-upload and deleted"
# rec-upload's ledger names the archive in its own field: the object key
# need not end in it (here {station}-{name})
S3=$REC_TOP/test/s3
$S3/s3rver start "$PWD/srv" >/dev/null 2>err || {
	grep -q 'missing' err && skip "$(cat err)"
	cat err >&2; fail "cannot start s3rver"; }
trap '$S3/s3rver stop "$PWD/srv" >/dev/null 2>&1' EXIT
(set -a; . srv/env; set +a; $S3/mkbucket srv bkt)
cat >up.conf <<C
[upload]
endpoint = $(. srv/env; echo "$S3_ENDPOINT")
bucket = bkt
key-template = {station}-{name}
C
setup
rc=0
REC_TEST_CRASH=commit rec-archive -q --spool sp --max-bytes 60K || rc=$?
[ $rc = 137 ] || fail "expected a kill (137), got $rc"
first=$(ls sp/out/*.tar)
a=${first#sp/out/}
(set -a; . srv/env; set +a; rec-upload --config up.conf --spool sp 2>uplog) ||
	{ cat uplog >&2; fail "rec-upload failed"; }
[ ! -e "$first" ] || fail "rec-upload left out/$a"
awk -F'\t' -v n="$a" '$2 == "station1-" n && $7 == n { ok = 1 }
	END { exit !ok }' sp/ledger || fail "no ledger line for $a: $(cat sp/ledger)"
(set -a; . srv/env; set +a
for k in $(cut -f2 sp/ledger); do
	$S3/aws srv s3 cp --only-show-errors "s3://bkt/$k" "uploaded/${k#station1-}"
done)
rec-archive --spool sp --max-bytes 60K 2>log
expect_grep 'already in out/.* (since uploaded)' log
[ ! -e "sp/out/$a.idx" ] || fail "orphan .idx left"
# every segment in exactly one archive, here or uploaded: none twice
check --also uploaded sp orig
$S3/s3rver stop "$PWD/srv" >/dev/null 2>&1

say "an orphan .idx whose archive is neither in out/ nor in the ledger"
setup
rc=0
REC_TEST_CRASH=commit rec-archive -q --spool sp --max-bytes 60K || rc=$?
[ $rc = 137 ] || fail "expected a kill (137), got $rc"
a=$(ls sp/out/*.tar)
rm "$a" "$a.sums"	# lost somehow, not uploaded: keep the segments
rec-archive --spool sp --max-bytes 60K 2>log
expect_grep 'ledger does not list it: its segments stay' log
check sp orig

say "killed at random moments, then a clean run"
setup 20 9600
kills=0
for i in $(seq 10 25); do
	# more segments arrive, as rec-capture would add them
	mkseg -n 12 -l 24000 -t 202611${i}T000000.000Z -x $i new
	cp new/*.wav orig/ && mv new/*.wav sp/seg/
	codec=$( [ $((i % 2)) = 0 ] && echo flac || echo wav)
	rec-archive -q --spool sp --codec $codec --max-bytes 400K &
	pid=$!
	sleep 0.0$(rnd 10)$(rnd 10)
	kill -9 $pid 2>/dev/null || :
	rc=0
	wait $pid 2>/dev/null || rc=$?
	[ $rc = 137 ] && kills=$((kills + 1))
	check --crashed sp orig >/dev/null
done
say "$kills of 16 runs were killed before they ended"
# none killed: the loop tested nothing about crashes
[ $kills -ge 1 ] || fail "no run was killed: the kills came too late"
rec-archive -q --spool sp --max-bytes 400K
check sp orig
for f in sp/out/*.tar; do rec-archive --verify -q "$f"; done
