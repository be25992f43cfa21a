# rec-archive --codec flac and --compress: flac -t and sox accept the
# FLAC members, their PCM joined equals the segments' PCM bit for bit
# (S16_LE, S24_3LE, S32_LE; 1, 2, 4 channels), the GUANO metadata is in
# the FLAC tags; gzip/zstd/xz archives are read by tar and bsdtar, both
# of which list manifest.json then one member per segment, in order.
. "$REC_TOP/test/lib.sh"
check() { python3 "$REC_TOP/test/helpers/archcheck.py" "$@"; }
# members ARCHIVE ORIGDIR EXT: GNU tar's and bsdtar's listings of ARCHIVE
# are manifest.json and, for each segment of ORIGDIR in name order, its
# name with .EXT for .wav
members() {
	{ echo manifest.json; ls "$2" | sed "s/\.wav\$/.$3/"; } >members.want
	tar tf "$1" >members.tar
	bsdtar tf "$1" >members.bsd
	diff -u members.want members.tar || fail "GNU tar lists other members"
	diff -u members.want members.bsd || fail "bsdtar lists other members"
}

n=0
for spec in "S16_LE 2 48000" "S24_3LE 1 96000" "S32_LE 4 8000"; do
	set -- $spec
	n=$((n + 1))
	say "FLAC of $1, $2 channels, $3 Hz"
	mkdir -p sp$n/seg orig$n x$n
	mkseg -n 4 -l $(($3 / 4)) -f $1 -c $2 -r $3 -S st-$n -x $n sp$n/seg
	cp sp$n/seg/*.wav orig$n/
	rec-archive -q --spool sp$n --codec flac --flac-level 5
	a=$(ls sp$n/out/*.tar)
	rec-archive --verify -q "$a"
	members "$a" orig$n flac
	tar xf "$a" -C x$n
	ls x$n | grep -c '\.flac$' | grep -qx 4 || fail "not 4 FLAC members"
	for f in x$n/*.flac; do
		flac -t -s "$f"
		sox --i "$f" >info
		expect_grep "Channels *: $2\$" info
		expect_grep "Sample Rate *: $3\$" info
	done
	# joined PCM, decoded by flac and by sox, against the segments'
	for f in x$n/*.flac; do
		flac -d -s -c --force-raw-format --endian=little \
			--sign=signed "$f"
	done >flac.raw
	for f in x$n/*.flac; do sox "$f" -t raw -; done >sox.raw
	for f in orig$n/*.wav; do sox "$f" -t raw -; done >want.raw
	cmp flac.raw want.raw
	cmp sox.raw want.raw
	# the member for segment S is S with .flac
	for f in orig$n/*.wav; do
		b=${f#orig$n/}
		[ -f "x$n/${b%.wav}.flac" ] || fail "no member for $b"
	done
	check sp$n orig$n
done

say "GUANO metadata in the FLAC tags"
f=$(ls x1/*.flac | head -n 1)
metaflac --export-tags-to=tags.txt "$f"
expect_grep '^GUANO=GUANO|Version: 1.0' tags.txt
expect_grep '^REC|Station: st-1' tags.txt
expect_grep '^Timestamp: 2026-11-28T03:15:00.000000Z' tags.txt
expect_grep '^DATE=2026-11-28T03:15:00.000000Z' tags.txt
expect_grep '^ENCODER=rec-archive ' tags.txt
metaflac --show-md5sum "$f" | grep -qv '^0*$' || fail "no MD5 signature"

say "about half the bytes of the WAV segments"
w=$(cat orig1/*.wav | wc -c)
z=$(stat -c %s sp1/out/*.tar)
say "FLAC archive / WAV segments = $z / $w"
[ $((z * 100 / w)) -lt 75 ] || fail "FLAC archive is $z bytes for $w"

for c in gzip zstd xz; do
	say "--compress $c (WAV and FLAC)"
	for codec in wav flac; do
		rm -rf sp orig y
		mkdir -p sp/seg orig y
		mkseg -n 3 -l 8000 sp/seg
		cp sp/seg/*.wav orig/
		rec-archive -q --spool sp --compress $c --codec $codec
		ext=$(case $c in gzip) echo gz ;; zstd) echo zst ;; *) echo xz ;; esac)
		a=$(ls sp/out/*.tar.$ext)
		members "$a" orig $codec
		bsdtar xf "$a" -C y
		case $c in
		gzip) gzip -t "$a" ;; zstd) zstd -q -t "$a" ;; xz) xz -t "$a" ;;
		esac
		rec-archive --verify -q "$a"
		check sp orig >/dev/null
	done
done
