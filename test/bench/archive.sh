# Benchmark: CPU seconds (user + sys) and peak RSS to archive one hour of
# 48 kHz stereo S16 segments (60 x 60 s, 691 MB), side by side in one run
# with the stock tools doing the same job: `tar -cf - | zstd -3` against
# `rec-archive --compress zstd`, `flac -5` against `rec-archive --codec
# flac`. Runs alternate, 3 each, medians; the segments are hard links to
# one pristine copy (rec-archive removes what it archived). Prints a
# markdown table and the byte ratios of the archives to the segments.
set -eu
for t in flac zstd tar; do
	command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed" >&2; exit 1; }
runs=3

mkdir -p pristine
mkseg -n 60 -l 2880000 -r 48000 -c 2 -f S16_LE pristine
wav=$(cat pristine/*.wav | wc -c)
cat pristine/*.wav >/dev/null		# warm the page cache

# measure NAME CMD...: append "user sys rss_kib" for one run to NAME.t
measure() {
	local name=$1
	shift
	/usr/bin/time -f '%U %S %M' -o t.one "$@"
	cat t.one >>"$name.t"
}
fresh() { rm -rf sp && mkdir sp && cp -al pristine sp/seg; }

for i in $(seq $runs); do
	fresh
	measure rec-zstd rec-archive -q --spool sp --compress zstd
	zbytes=$(stat -c %s sp/out/*.tar.zst)
	measure stock-zstd sh -c 'tar -cf - pristine | zstd -3 -q >stock.tar.zst'
	szbytes=$(stat -c %s stock.tar.zst)
	rm -f stock.tar.zst
	fresh
	measure rec-flac rec-archive -q --spool sp --codec flac
	fbytes=$(stat -c %s sp/out/*.tar)
	rec-archive --verify -q sp/out/*.tar
	rm -rf fl && mkdir fl
	measure stock-flac flac -5 -s --output-prefix=fl/ pristine/*.wav
	sfbytes=$(cat fl/*.flac | wc -c)
done
rm -rf sp fl

median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
cpu() {
	awk '{ printf "%.2f\n", $1 + $2 }' "$1.t" >"$1.cpu"
	median "$1.cpu" 1
}

echo "Archiving one hour of 48 kHz stereo S16 segments (60 x 60 s,"
echo "$wav bytes); median of $runs alternating runs, CPU = user + sys."
echo
echo "| job | tool | CPU s | peak RSS MiB | CPU vs stock | bytes | bytes / WAV |"
echo "|---|---|---|---|---|---|---|"
row() {	# job tool name stockname bytes
	local c ref rss
	c=$(cpu $3)
	ref=$(cpu $4)
	rss=$(median $3.t 3)
	printf '| %s | %s | %s | %d | %.2fx | %s | %.3f |\n' "$1" "$2" "$c" \
	    $((rss / 1024)) "$(echo "$c $ref" | awk '{ print $1 / $2 }')" \
	    "$5" "$(echo "$5 $wav" | awk '{ print $1 / $2 }')"
}
row "tar + zstd" "rec-archive --compress zstd" rec-zstd stock-zstd "$zbytes"
row "tar + zstd" "tar -cf - \\| zstd -3" stock-zstd stock-zstd "$szbytes"
row "FLAC" "rec-archive --codec flac" rec-flac stock-flac "$fbytes"
row "FLAC" "flac -5 (files, no tar)" stock-flac stock-flac "$sfbytes"
echo
echo "rec-archive also hashes what the stock tools do not, each byte once per"
echo "algorithm: SHA-256 of every member (manifest; for FLAC also of its PCM,"
echo "for WAV the member's hash covers it) and MD5 + SHA-256 of every upload"
echo "part of the archive (the sidecar; the whole-archive hashes are part 0's"
echo "when there is one part, left out when there are several)."
