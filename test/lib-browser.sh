# Sourced by script tests that render a page in a real browser, after
# test/lib.sh:
#   . "$REC_TOP/test/lib-browser.sh"
#   browser_dump page.html dom.html shot.png
# Headless Chromium (Debian's chromium, scripts/deps/browser.apt) loads
# the file with every network request refused (a proxy that is not
# there, no name resolves), dumps the DOM it built and takes a
# screenshot the size of a phone (412x915). A missing browser is a
# failure, never a skip. dom_text DOM prints the text of a dumped DOM.

# browser_bin: the first Chromium on PATH
browser_bin() {
	local b
	for b in chromium chromium-browser google-chrome; do
		command -v "$b" && return 0
	done
	return 1
}

# browser_run ARGS...: the browser, headless, offline, in a profile of
# the test's own; bounded; without the libfaketime of make check-future
# (the page carries its own times)
browser_run() {
	local b
	b=$(browser_bin) || fail "no chromium: install scripts/deps/browser.apt (make deps)"
	env -u LD_PRELOAD -u FAKETIME timeout 120 "$b" --headless --no-sandbox \
		--disable-gpu --hide-scrollbars --no-first-run \
		--user-data-dir="$PWD/.browser-profile" \
		--proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' \
		--window-size=412,915 "$@" 2>>browser.log
}

# browser_dump FILE.html DOM SHOT.png: the DOM Chromium built from
# FILE.html into DOM, and its screenshot into SHOT.png
browser_dump() {
	local url
	url="file://$(realpath "$1")"
	browser_run --dump-dom "$url" >"$2" ||
		{ tail -n 20 browser.log >&2; fail "chromium cannot render $1"; }
	browser_run --screenshot="$(realpath -m "$3")" "$url" >/dev/null ||
		{ tail -n 20 browser.log >&2; fail "chromium cannot take a screenshot of $1"; }
	[ -s "$2" ] || fail "chromium dumped no DOM of $1"
	[ -s "$3" ] || fail "chromium took no screenshot of $1"
}

# dom_text DOM: the text of a dumped DOM, one line per text node
# (<style> and <script> contents left out)
dom_text() {
	python3 - "$1" <<'P'
import html.parser, sys
class T(html.parser.HTMLParser):
    skip = 0
    def handle_starttag(self, tag, a):
        if tag in ("style", "script"): self.skip += 1
    def handle_endtag(self, tag):
        if tag in ("style", "script"): self.skip -= 1
    def handle_data(self, d):
        d = " ".join(d.split())
        if d and not self.skip: print(d)
T().feed(open(sys.argv[1], encoding="utf-8").read())
P
}
