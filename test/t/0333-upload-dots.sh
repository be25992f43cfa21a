# "." and ".." path components in keys: a path-normalising proxy or
# client would turn them into another key (another station's, or outside
# the prefix). A station name, prefix or key template that gives them is
# refused at start (78 naming the config line; 64 for a flag). The spool
# is empty: nothing is ever sent.
. "$REC_TOP/test/lib.sh"
mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
unset AWS_ENDPOINT_URL
conf() {	# conf STATION PREFIX [TEMPLATE]: station on line 1, prefix on 5
	{
		echo "station = $1"
		echo "[upload]"
		echo "endpoint = https://192.0.2.1"
		echo "bucket = bkt"
		echo "prefix = $2"
		[ -z "${3:-}" ] || echo "key-template = $3"
	} >rec.conf
}

for st in . ..; do
	conf "$st" field/
	expect_exit 78 rec-upload 2>log
	expect_grep "error: $PWD/rec.conf:1: bad station name '$st'" log
done
for p in ../ field/../ ./field/ field/./x/ . .. a//../; do
	conf st1 "$p"
	expect_exit 78 rec-upload 2>log
	expect_grep "error: $PWD/rec.conf:5: bad prefix '$p'" log
done
for t in '{prefix}../{name}' '{prefix}{station}/../{name}' \
	'./{prefix}{name}' '{prefix}{station}/{YYYY}/./{name}'; do
	conf st1 "" "$t"
	expect_exit 78 rec-upload 2>log
	expect_grep "error: $PWD/rec.conf:6: .*key-template '$t'" log
done
# the pieces are fine, their sum is not
conf st1 "field/" '{prefix}../{name}'
expect_exit 78 rec-upload 2>log
expect_grep "error: $PWD/rec.conf:6: key-template '{prefix}../{name}' with prefix 'field/' gives no valid key" log
conf st1 "." '{prefix}/{name}'
expect_exit 78 rec-upload 2>log
conf st1 "field/"
expect_exit 64 rec-upload --prefix ../ 2>log
expect_grep "error: bad --prefix '../'" log
expect_exit 64 rec-upload --station .. 2>log

say "dots that are not whole components are fine"
conf st1.a "..field/x./" '{prefix}{station}/..{YYYY}/{name}...'
rec-upload 2>log || { cat log >&2; fail "refused"; }
rec-upload --prefix .../ 2>log || { cat log >&2; fail "refused"; }
