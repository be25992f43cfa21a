# Sourced by the rec-find tests (0370, 0371) after test/lib.sh and
# test/lib-s3.sh: find_fixture starts RGW (bucket "arc", behind a
# faultproxy that logs every request to px/proxy.log) and fills it
# through the real pipeline (mkseg, rec-archive, rec-upload), with fixed
# times, 8 kHz mono 16-bit segments of 30 s (240000 frames):
#
#  stA  A1 2026-11-27T23:59:00 .. 11-28T00:01:00  wav, tar               (crosses midnight)
#       A2 2026-11-28T00:01:00 .. 00:03:01        flac, tar; its second segment
#                                                 lost 8000 frames (1 s) at 1.5 s
#                                                 and began with the clock not
#                                                 synced (its first: synced)
#       --- a gap of 6m59s ---
#       A3 2026-11-28T00:10:00 .. 00:12:00        wav, tar.zst.age; the segment
#                                                 of 00:11:00 is missing (30 s)
#       A4 2026-12-05T00:00:00 .. 00:00:30        tar (outside every range asked)
#  stB  B1 2026-11-29T12:00:00 .. 12:02:00        wav, tar.zst
#       --- a gap of 8m ---
#       B2 2026-11-29T12:10:00 .. 12:11:00        wav, tar.gz
#
# Also misc_files/notes.txt (no station) and stA/2026/11/28/notes.txt
# (no archive).  It leaves: ./id (the age identity), ./find.conf ([upload] of the
# proxy), A1..A4, B1 and B2 (the archive names) and $PROXY_ENDPOINT.

A1=20261127T235900.000Z_20261128T000100.000Z_stA.tar
A2=20261128T000100.000Z_20261128T000301.000Z_stA.tar
A3=20261128T001000.000Z_20261128T001200.000Z_stA.tar.zst.age
A4=20261205T000000.000Z_20261205T000030.000Z_stA.tar
B1=20261129T120000.000Z_20261129T120200.000Z_stB.tar.zst
B2=20261129T121000.000Z_20261129T121100.000Z_stB.tar.gz

# find_seg SPOOL STATION START [mkseg options]: one 30 s segment
find_seg() {
	local sp=$1 st=$2 t=$3
	shift 3
	mkdir -p "$sp/seg"
	mkseg -n 1 -r 8000 -c 1 -l 240000 -S "$st" -t "$t" "$@" "$sp/seg" ||
		fail "mkseg $sp $st $t"
}

find_fixture() {
	s3_setup srv arc
	s3_use srv
	s3_cleanup_hook() { $S3/faultproxy stop "$PWD/px" >/dev/null 2>&1; }
	$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" >/dev/null ||
		fail "cannot start the faultproxy"
	. px/proxy.env
	age-keygen -o id 2>/dev/null || fail "age-keygen"
	for st in stA stB; do
		mkdir -p $st/seg
		cat >$st.conf <<C
station = $st
spool = $PWD/$st
[upload]
endpoint = $S3_ENDPOINT
bucket = arc
credentials-file = $PWD/creds
C
	done
	# A1
	for t in 20261127T235900 20261127T235930 20261128T000000 \
	    20261128T000030; do
		find_seg stA stA $t.000Z
	done
	rec-archive -q --config stA.conf --min-count 1 ||
		fail "rec-archive A1"
	# A2: FLAC, a loss of 1 s in its second segment (whose span is 31 s)
	find_seg stA stA 20261128T000100.000Z '-KREC|Clock Synced=true'
	find_seg stA stA 20261128T000130.000Z -g 12000+8000 \
		'-KREC|Clock Synced=false' '-KREC|Clock Max Error=16'
	find_seg stA stA 20261128T000201.000Z
	find_seg stA stA 20261128T000231.000Z
	rec-archive -q --config stA.conf --min-count 1 --codec flac ||
		fail "rec-archive A2"
	# A3: zstd, encrypted, a segment missing
	for t in 20261128T001000 20261128T001030 20261128T001130; do
		find_seg stA stA $t.000Z
	done
	rec-archive -q --config stA.conf --min-count 1 --compress zstd \
		--recipient "$(age-keygen -y id)" || fail "rec-archive A3"
	# A4
	find_seg stA stA 20261205T000000.000Z
	rec-archive -q --config stA.conf --min-count 1 || fail "rec-archive A4"
	# B1
	for t in 20261129T120000 20261129T120030 20261129T120100 \
	    20261129T120130; do
		find_seg stB stB $t.000Z
	done
	rec-archive -q --config stB.conf --min-count 1 --compress zstd ||
		fail "rec-archive B1"
	find_seg stB stB 20261129T121000.000Z
	find_seg stB stB 20261129T121030.000Z
	rec-archive -q --config stB.conf --min-count 1 --compress gzip ||
		fail "rec-archive B2"
	for a in $A1 $A2 $A3 $A4; do
		[ -f stA/out/$a ] || fail "no $a: $(ls stA/out)"
	done
	[ -f stB/out/$B1 ] && [ -f stB/out/$B2 ] || fail "no $B1, $B2: $(ls stB/out)"
	timeout 120 rec-upload -q --config stA.conf || fail "rec-upload stA"
	timeout 120 rec-upload -q --config stB.conf || fail "rec-upload stB"
	# what else a bucket holds: a folder that is no station, a key that
	# is no archive in a day's prefix
	echo notes >notes.txt
	( . srv/env; export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	  s3op "$S3_ENDPOINT" arc put misc_files/notes.txt notes.txt &&
	  s3op "$S3_ENDPOINT" arc put stA/2026/11/28/notes.txt notes.txt
	) >/dev/null || fail "cannot put the notes"
	cat >find.conf <<C
[upload]
endpoint = $PROXY_ENDPOINT
bucket = arc
credentials-file = $PWD/creds
max-tries = 2
C
	: >px/proxy.log
}
