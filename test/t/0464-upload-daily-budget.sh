# rec-upload: [upload] daily-budget counts the ledger's bytes of the UTC
# day (beside monthly-budget, the month): an archive that would pass it
# is kept with exit 75 and a warning, a smaller one still goes; the next
# UTC day the rest goes. The fixture's own clock (at_time) fixes the day;
# under ASan (no libfaketime) today's, and the next day is not tried.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_setup srv bkt s3rver
if under_san; then
	d0=$(date -u -d '-1 day' +%Y-%m-%d) d1=$(date -u +%Y-%m-%d)
	on_day() { "$@"; }
else
	d0=2027-01-14 d1=2027-01-15
	on_day() { at_time "$d1 12:00:00" "$@"; }
fi
c0=$(echo "$d0" | tr -d -) c1=$(echo "$d1" | tr -d -)

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
endpoint = $S3_ENDPOINT
bucket = bkt
max-tries = 2
daily-budget = 3000
C
# 1000 bytes went yesterday and 1500 today (UTC)
printf '%sT23:59:59Z\tk0\t1000\te\t-\t-\t%sT000000.000Z_%sT000100.000Z_st1.tar\n' \
	"$d0" "$c0" "$c0" >sp/ledger
printf '%sT00:00:01Z\tk1\t1500\te\t-\t-\t%sT000000.000Z_%sT000100.000Z_st1.tar\n' \
	"$d1" "$c1" "$c1" >>sp/ledger
big=${c1}T010000.000Z_${c1}T010100.000Z_st1.tar
small=${c1}T020000.000Z_${c1}T020100.000Z_st1.tar
head -c 2000 /dev/urandom >sp/out/$big
head -c 400 /dev/urandom >sp/out/$small
expect_exit 75 on_day rec-upload 2>log
expect_grep 'daily budget reached: 1500 of 3000 bytes sent today' log
[ -f sp/out/$big ] || fail "the archive over the budget was sent"
[ ! -f sp/out/$small ] || { cat log >&2; fail "the small one was kept"; }
under_san && exit 0
say "the next day"
at_time '2027-01-16 00:00:10' rec-upload 2>log || { cat log >&2; fail "upload"; }
[ ! -f sp/out/$big ] || fail "kept on the next day"
