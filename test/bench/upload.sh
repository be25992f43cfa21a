# Benchmark: upload a 256 MiB archive to a local Ceph RGW (memstore) with
# rec-upload (hashes precomputed by rec-archive in the .sums sidecar) and,
# on the same file in the same run, with `aws s3 cp`, `rclone copyto` and
# `s3cmd put`: CPU seconds (user+sys), peak RSS and wall time, medians of
# alternating runs. Every upload is fetched back once and compared.
# Prints a markdown table.
set -eu
S3=$REC_TOP/test/s3
for c in radosgw aws rclone s3cmd; do
	command -v $c >/dev/null || { echo "$c is not installed" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed" >&2; exit 1; }
runs=${BENCH_RUNS:-3}
size=$((256 * 1024 * 1024))
name=20261128T031500.000Z_20261128T041500.000Z_st1.tar

trap '$S3/rgw stop "$PWD/srv" >/dev/null 2>&1' EXIT
REC_RGW_BYTES=$((3 * 1024 * 1024 * 1024)) $S3/rgw start "$PWD/srv" >/dev/null
set -a; . srv/env; set +a
$S3/mkbucket srv bkt

head -c $size /dev/urandom >in.tar
s3sums in.tar 8388608		# what rec-archive writes beside it
cat in.tar >/dev/null		# warm the page cache
mkdir -p sp/out
printf '[upload]\nendpoint = %s\nbucket = bkt\npart-size = 8M\n' \
	"$S3_ENDPOINT" >rec.conf
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf

# rclone and s3cmd: configuration for the same server
unset AWS_CA_BUNDLE
export RCLONE_CONFIG_RGW_TYPE=s3 RCLONE_CONFIG_RGW_PROVIDER=Ceph \
	RCLONE_CONFIG_RGW_ENDPOINT=$S3_ENDPOINT \
	RCLONE_CONFIG_RGW_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID \
	RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
	RCLONE_CONFIG_RGW_REGION=$S3_REGION
hostport=${S3_ENDPOINT#http://}
cat >s3cmd.cfg <<C
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = $hostport
host_bucket = $hostport
use_https = False
signature_v2 = False
bucket_location = $S3_REGION
progress_meter = False
C

# measure NAME CMD...: append "user sys rss_kib wall" for one run
measure() {
	local name=$1
	shift
	/usr/bin/time -f '%U %S %M %e' -o t.one "$@" >/dev/null 2>>err.log ||
		{ echo "$name failed" >&2; cat err.log >&2; exit 1; }
	cat t.one >>"$name.t"
}
ours() {
	ln in.tar sp/out/$name && ln in.tar.sums sp/out/$name.sums
	measure rec-upload rec-upload -q
}
for i in $(seq $runs); do
	ours
	measure aws "$S3/aws" srv s3 cp --only-show-errors in.tar s3://bkt/aws.tar
	measure rclone rclone copyto --ignore-times in.tar rgw:bkt/rclone.tar
	measure s3cmd s3cmd -c s3cmd.cfg put in.tar s3://bkt/s3cmd.tar
done
for k in st1/2026/11/28/$name aws.tar rclone.tar s3cmd.tar; do
	"$S3/aws" srv s3 cp --only-show-errors "s3://bkt/$k" got
	cmp -s got in.tar || { echo "$k differs" >&2; exit 1; }
	rm -f got
done

# median FILE COLUMN-EXPR
median() {
	awk "{ print $2 }" "$1" | sort -n | awk '{ v[NR] = $1 }
		END { printf "%.2f", v[int((NR + 1) / 2)] }'
}
echo "Upload of a 256 MiB archive to a local Ceph RGW (memstore), median of $runs runs."
echo
echo "| tool | CPU s (user+sys) | peak RSS MiB | wall s |"
echo "|---|---|---|---|"
for t in rec-upload aws rclone s3cmd; do
	printf '| %s | %s | %s | %s |\n' "$t" "$(median $t.t '$1 + $2')" \
		"$(median $t.t '$3 / 1024')" "$(median $t.t '$4')"
done
