# Benchmark: a 10 s clip from the middle of a 1-hour archive (48 kHz mono,
# 1-minute segments, FLAC; and FLAC + age) in a local Ceph RGW (memstore):
# rec-get against the naive pipeline in the same run (aws s3 cp of the
# archive, age -d, tar x, sox trim). Bytes fetched from the store and
# wall time, medians of alternating runs; both clips are compared with
# each other sample by sample. Prints a markdown table.
set -eu
S3=$REC_TOP/test/s3
for c in radosgw aws age age-keygen sox tar; do
	command -v $c >/dev/null || { echo "$c is not installed" >&2; exit 1; }
done
runs=${BENCH_RUNS:-3}

trap '$S3/rgw stop "$PWD/srv" >/dev/null 2>&1' EXIT
REC_RGW_BYTES=$((2 * 1024 * 1024 * 1024)) $S3/rgw start "$PWD/srv" >/dev/null
set -a; . srv/env; set +a
$S3/mkbucket srv bkt
printf 'station = station1\n[upload]\nendpoint = %s\nbucket = bkt\npart-size = 16M\n' \
	"$S3_ENDPOINT" >rec.conf
export REC_CONFIG=$PWD/rec.conf
age-keygen -o id 2>/dev/null

# one hour: 60 segments of a minute, the same audio in both spools (two
# stations, so that each clip comes from one archive)
mkdir -p f/seg fa/seg
mkseg -n 60 -l 2880000 -r 48000 -c 1 -S plain f/seg
mkseg -n 60 -l 2880000 -r 48000 -c 1 -S enc fa/seg
rec-archive -q --spool f --min-count 1 --codec flac
rec-archive -q --spool fa --min-count 1 --codec flac --recipient "$(age-keygen -y id)"
rec-upload -q --spool f
rec-upload -q --spool fa
keys=$("$S3/aws" srv s3 ls --recursive s3://bkt/ | awk '{ print $3, $4 }')
# the clip: 30:25 to 30:35 into the hour, inside the segment of 03:45
from=2026-11-28T03:45:25.0Z to=2026-11-28T03:45:35.0Z
member=20261128T034500.000Z_

# now: seconds since the epoch, ns precision
now() { date +%s.%N; }
# one run of each, appending "bytes wall" to NAME.t
ours() {	# ours NAME ARGS...
	local n=$1 t0 t1
	shift
	t0=$(now)
	rec-get --from $from --to $to -o $n.wav "$@" 2>$n.log
	t1=$(now)
	echo "$(sed -n 's/.*fetched \([0-9]*\) bytes.*/\1/p' $n.log) $(echo "$t1 - $t0" | bc)" >>$n.t
}
naive() {	# naive NAME KEY SIZE [age]
	local n=$1 key=$2 size=$3 t0 t1
	rm -rf x && mkdir x
	t0=$(now)
	"$S3/aws" srv s3 cp --only-show-errors "s3://bkt/$key" x/a
	if [ "${4:-}" = age ]; then
		age -d -i id -o x/a.tar x/a
	else
		mv x/a x/a.tar
	fi
	tar xf x/a.tar -C x
	sox x/$member*.flac $n.wav trim 25 10
	t1=$(now)
	echo "$size $(echo "$t1 - $t0" | bc)" >>$n.t
}
kp=$(echo "$keys" | awk '$2 ~ /\.tar$/ { print $2 }')
ka=$(echo "$keys" | awk '$2 ~ /\.tar\.age$/ { print $2 }')
sp=$(echo "$keys" | awk '$2 ~ /\.tar$/ { print $1 }')
sa=$(echo "$keys" | awk '$2 ~ /\.tar\.age$/ { print $1 }')
for i in $(seq $runs); do
	ours get-flac --station plain
	naive naive-flac "$kp" "$sp"
	ours get-age --station enc --identity id
	naive naive-age "$ka" "$sa" age
done
for n in get-flac naive-flac get-age naive-age; do
	sox $n.wav -t raw - >$n.raw
done
cmp -s get-flac.raw naive-flac.raw && cmp -s get-age.raw naive-flac.raw &&
	cmp -s naive-age.raw naive-flac.raw ||
	{ echo "the clips differ" >&2; exit 1; }

median() {
	awk "{ print $2 }" "$1" | sort -n | awk '{ v[NR] = $1 }
		END { printf "%.3f", v[int((NR + 1) / 2)] }'
}
echo "A 10 s clip from the middle of a 1-hour archive (48 kHz mono FLAC, 1-minute"
echo "segments) in a local Ceph RGW (memstore); median of $runs runs."
echo
echo "| archive | tool | bytes fetched | of the archive | wall s | of naive |"
echo "|---|---|---|---|---|---|"
for a in flac age; do
	size=$([ $a = flac ] && echo $sp || echo $sa)
	nw=$(median naive-$a.t '$2')
	for t in get naive; do
		b=$(median $t-$a.t '$1')
		w=$(median $t-$a.t '$2')
		printf '| %s | %s | %.0f | %.2f%% | %s | %.3fx |\n' \
			"$([ $a = flac ] && echo FLAC || echo FLAC+age) ($size B)" \
			"$([ $t = get ] && echo rec-get || { [ $a = flac ] &&
			    echo 'aws s3 cp, tar x, sox trim' ||
			    echo 'aws s3 cp, age -d, tar x, sox trim'; })" \
			"$b" "$(echo "100 * $b / $size" | bc -l)" "$w" \
			"$(echo "$w / $nw" | bc -l)"
	done
done
