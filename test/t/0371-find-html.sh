# rec-find --html: the coverage page, rendered by headless Chromium
# (test/lib-browser.sh) from the archives of test/lib-find.sh: one
# section per day and station, a 24-hour bar with recorded, gap and lost
# pieces where the fixture has them, every archive with its rec-get
# command, and --presign links that download the archive from RGW with
# curl (a link with a changed signature is refused).  The page is
# self-contained: no script, no stylesheet or image from elsewhere.
# The screenshot (a phone's width) is kept in $REC_BUILD/screens/.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
. "$REC_TOP/test/lib-find.sh"
. "$REC_TOP/test/lib-browser.sh"
find_fixture

say "the page"
rec-find --config find.conf --gaps --identity id --presign 1h \
	--from 2026-11-28 --to 2026-11-29 --html page.html >out 2>err ||
	{ cat err; fail "rec-find --html"; }
[ -s page.html ] || fail "no page"
[ ! -e page.html.tmp ] || fail "page.html.tmp left"
grep -qi '<script' page.html && fail "a script in the page"
grep -qiE '<link|<img|<iframe|@import|url\(' page.html && fail "something loaded from elsewhere"
grep -o 'src="[^"]*"' page.html && fail "a src attribute"
# every link is a presigned URL of the store
grep -o 'href="[^"]*"' page.html | grep -v "href=\"$PROXY_ENDPOINT/arc/" &&
	fail "a link elsewhere"

say "rendered by Chromium"
browser_dump page.html dom.html shot.png
mkdir -p "$REC_BUILD/screens"
cp shot.png "$REC_BUILD/screens/0371-find-html.png"
python3 - "$A1" "$A2" "$A3" "$B1" <<'PY' || fail "the DOM"
import html.parser, struct, sys
a1, a2, a3, b1 = sys.argv[1:]

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.cur, self.stack = {}, None, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.cur = self.sections.setdefault(a["id"], {"text": "", "pieces": [], "links": []})
        if self.cur is None:
            return
        if tag == "span" and "style" in a:
            self.cur["pieces"].append((a.get("class"), a["style"], a.get("title", "")))
        if tag == "a":
            self.cur["links"].append(a["href"])
    def handle_endtag(self, tag):
        if tag == "section":
            self.cur = None
    def handle_data(self, d):
        if self.cur is not None:
            self.cur["text"] += d

p = P()
p.feed(open("dom.html").read())
s = p.sections
assert sorted(s) == ["stA-2026-11-28", "stA-2026-11-29", "stB-2026-11-28", "stB-2026-11-29"], sorted(s)
d = s["stA-2026-11-28"]
t = d["text"]
assert "stA \u00b7 2026-11-28" in t, t
assert "recorded 4m30.000s, gaps 1 (6m59.000s), lost 2 (31.000s)" in t, t
for n in (a1, a2, a3):
    assert n in t, n
assert b1 not in t
assert "rec-get --station stA --from 2026-11-27T23:59:00.000Z --to 2026-11-28T00:01:00.000Z" in t, t
assert "rec-get --station stA --from 2026-11-28T00:10:00.000Z --to 2026-11-28T00:12:00.000Z" in t, t
assert "flac" in t and "encrypted" in t
kinds = [c for c, _, _ in d["pieces"]]
assert kinds.count("rec") == 3 and kinds.count("gap") == 1 and kinds.count("lost") == 2, kinds
# the gap 00:03:01 .. 00:10:00 of a 24-hour bar
gap = [st for c, st, _ in d["pieces"] if c == "gap"][0]
assert gap == "left:0.209%;width:0.485%", gap
assert len(d["links"]) == 3
assert "no archives" in s["stA-2026-11-29"]["text"]
assert b1 in s["stB-2026-11-29"]["text"] and "recorded 3m00.000s, gaps 1 (8m00.000s)" in s["stB-2026-11-29"]["text"]
assert len(s["stB-2026-11-29"]["links"]) == 2
# the parts of the day outside the range are marked: none here
assert "out" not in kinds
open("a2.url", "w").write([u for u in d["links"] if a2 in u][0])
w, h = struct.unpack(">II", open("shot.png", "rb").read()[16:24])
assert w == 412 and h > 100, (w, h)
print("dom ok")
PY

say "a presigned link downloads the archive; a changed one is refused"
url=$(cat a2.url)
expect_grep 'X-Amz-Expires=3600' a2.url
timeout 60 curl -sS -f -o a2.tar "$url" || fail "curl the presigned link"
size=$(grep "^  archive .*$A2" out | cut -d' ' -f6)
[ "$(stat -c %s a2.tar)" = "$size" ] || fail "downloaded $(stat -c %s a2.tar) bytes, want $size"
[ "$(tar tf a2.tar | head -n 1)" = manifest.json ] || fail "not the archive"
tar tf a2.tar | grep -q 'flac$' || fail "no FLAC member"
bad=$(echo "$url" | sed 's/X-Amz-Expires=3600/X-Amz-Expires=7200/')
code=$(timeout 60 curl -s -o /dev/null -w '%{http_code}' "$bad")
[ "$code" = 403 ] || fail "a changed link answered $code"

say "a range that starts mid-day: the rest of the day is marked outside"
rec-find --config find.conf --station stA --from 2026-11-28T00:05 \
	--to 2026-11-28T12:00 --html half.html >/dev/null || fail "half day"
[ "$(grep -o 'class="out"' half.html | wc -l)" = 2 ] || fail "not two outside pieces"
say "page ok; screenshot in $REC_BUILD/screens/0371-find-html.png"
