# recd(8) --schedule prints the windows of [schedule] day by day, in
# local time and UTC, with each day's hours and bytes (rate x channels x
# sample bytes): exactly, for clock periods across midnight over the
# night clocks go forward in Europe/Berlin and end-date, and for a sun
# period with a duty cycle. A schedule that cannot record is refused with
# 78 naming its line, by --schedule and by recd itself.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

cat >a.conf <<'EOF2'
[capture]
rate = 16000
channels = 1
[schedule]
timezone = Europe/Berlin
period = 05:00-07:00
period = 22:30-01:00
end-date = 2027-03-28
EOF2
recd --schedule --config a.conf --from 2027-03-26 --days 4 >a.out
cat >a.want <<'EOF2'
schedule: 4 days in Europe/Berlin
capture: 16000 Hz, 1 channel, S16_LE: 32000 bytes a second
2027-03-26 Fri
  05:00:00 CET - 07:00:00 CET  2027-03-26T04:00:00Z - 2027-03-26T06:00:00Z  2:00:00
  22:30:00 CET - 2027-03-27 01:00:00 CET  2027-03-26T21:30:00Z - 2027-03-27T00:00:00Z  2:30:00
  total 4:30:00 (4.50 h), 518400000 bytes
2027-03-27 Sat
  05:00:00 CET - 07:00:00 CET  2027-03-27T04:00:00Z - 2027-03-27T06:00:00Z  2:00:00
  22:30:00 CET - 2027-03-28 01:00:00 CET  2027-03-27T21:30:00Z - 2027-03-28T00:00:00Z  2:30:00
  total 4:30:00 (4.50 h), 518400000 bytes
2027-03-28 Sun
  05:00:00 CEST - 07:00:00 CEST  2027-03-28T03:00:00Z - 2027-03-28T05:00:00Z  2:00:00
  22:30:00 CEST - 2027-03-29 01:00:00 CEST  2027-03-28T20:30:00Z - 2027-03-28T23:00:00Z  2:30:00
  total 4:30:00 (4.50 h), 518400000 bytes
2027-03-29 Mon
  no window
  total 0:00:00 (0.00 h), 0 bytes
total 13:30:00 (13.50 h), 1555200000 bytes
EOF2
diff a.want a.out || fail "recd --schedule: clock periods"

cat >b.conf <<'EOF2'
latitude = 52.52
longitude = 13.405
height = 34
[capture]
rate = 48000
channels = 2
format = S24_3LE
[archive]
codec = flac
[schedule]
timezone = Europe/Berlin
period = dawn..sunrise+1h
duty = 10m/30m
EOF2
# no TZ of the caller changes it
TZ=Asia/Tokyo recd --schedule --config b.conf --from 2027-06-21 --days 1 >b.out
cat >b.want <<'EOF2'
schedule: 1 day in Europe/Berlin
capture: 48000 Hz, 2 channels, S24_3LE: 288000 bytes a second (as WAV: the upper bound of FLAC archives)
2027-06-21 Mon
  03:52:48 CEST - 04:02:48 CEST  2027-06-21T01:52:48Z - 2027-06-21T02:02:48Z  0:10:00
  04:22:48 CEST - 04:32:48 CEST  2027-06-21T02:22:48Z - 2027-06-21T02:32:48Z  0:10:00
  04:52:48 CEST - 05:02:48 CEST  2027-06-21T02:52:48Z - 2027-06-21T03:02:48Z  0:10:00
  05:22:48 CEST - 05:32:48 CEST  2027-06-21T03:22:48Z - 2027-06-21T03:32:48Z  0:10:00
  total 0:40:00 (0.67 h), 691200000 bytes
total 0:40:00 (0.67 h), 691200000 bytes
EOF2
diff b.want b.out || fail "recd --schedule: sun period with duty"

say "no [schedule]: recording always"
printf '[capture]\nrate = 8000\n' >c.conf
recd --schedule --config c.conf --days 2 >c.out
expect_grep '^no \[schedule\]: rec-capture records all the time$' c.out
expect_grep '16000 bytes a second, 1382400000 bytes a day$' c.out

say "a schedule that cannot record: 78 with its line"
printf '[schedule]\nstart-date = 2027-03-01\nend-date = 2027-02-01\n' >d.conf
expect_exit 78 recd --schedule --config d.conf 2>d.err
expect_grep "d.conf:3: bad end-date '2027-02-01': before start-date" d.err
expect_exit 78 recd --config d.conf --spool sp 2>d2.err
expect_grep "d.conf:3: bad end-date" d2.err
[ ! -e sp ] || fail "recd made a spool for a config it refused"
printf '[schedule]\nperiod = 05:00-09:00\nperiod = 07:00-07:00\n' >e.conf
expect_exit 78 recd --schedule --config e.conf 2>e.err
expect_grep "e.conf:3: period '07:00-07:00' is empty every day" e.err

say "usage"
expect_exit 64 recd --schedule --config a.conf --from 2027-02-30
expect_exit 64 recd --schedule --config a.conf --days 0
expect_exit 64 recd --config a.conf --days 3
