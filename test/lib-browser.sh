# Sourced by script tests that render a page rec writes, after
# test/lib.sh:
#   . "$REC_TOP/test/lib-browser.sh"
#   browser_dump page.html dom.txt shot.png
# Debian's headless Chromium loads the local file with the network cut
# off (every host name unresolvable, no proxy reachable, no background
# services), HOME and its profile in the test's directory, bounded by a
# timeout; a missing chromium is a failure, not a skip
# (scripts/deps/browser.apt installs it).

BROWSER=${BROWSER:-$(command -v chromium || command -v chromium-browser || :)}
BROWSER_WIDTH=${BROWSER_WIDTH:-412}	# a phone's CSS pixels
BROWSER_HEIGHT=${BROWSER_HEIGHT:-1600}

# browser_run ARGS...: chromium headless, offline, in ./browser-home
browser_run() {
	[ -n "$BROWSER" ] || fail "no chromium (scripts/deps/browser.apt)"
	mkdir -p browser-home
	HOME=$PWD/browser-home XDG_CONFIG_HOME=$PWD/browser-home/.config \
	XDG_CACHE_HOME=$PWD/browser-home/.cache \
	timeout -k 5 90 "$BROWSER" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$PWD/browser-home/profile" \
		--no-first-run --no-default-browser-check \
		--disable-background-networking --disable-component-update \
		--disable-sync --disable-extensions --disable-default-apps \
		--disable-dev-shm-usage --mute-audio --hide-scrollbars \
		--host-resolver-rules='MAP * ~NOTFOUND' \
		--proxy-server='http://127.0.0.1:9' --proxy-bypass-list='<-loopback>' \
		--window-size="$BROWSER_WIDTH,$BROWSER_HEIGHT" "$@"
}

# browser_dump FILE.html DOM.txt SHOT.png: the DOM after loading FILE
# (serialized HTML) into DOM.txt and a PNG screenshot into SHOT.png.
browser_dump() {
	local url="file://$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
	browser_run --dump-dom "$url" >"$2" 2>browser-dom.log ||
		{ tail -n 20 browser-dom.log >&2; fail "chromium --dump-dom $1"; }
	[ -s "$2" ] || { tail -n 20 browser-dom.log >&2; fail "an empty DOM of $1"; }
	browser_run --screenshot="$(pwd)/$3" "$url" >browser-shot.log 2>&1 ||
		{ tail -n 20 browser-shot.log >&2; fail "chromium --screenshot $1"; }
	[ -s "$3" ] || fail "no screenshot of $1"
}
