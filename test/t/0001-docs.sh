# Every executable has a man page whose SYNOPSIS names exactly the
# options its --help names, with the sections our man pages promise, and
# groff renders it without a warning.
. "$REC_TOP/test/lib.sh"

# options in a usage text or a SYNOPSIS, one per line: -x or --long
opts_usage() {
	sed -n '/^usage:/,/^$/p' | grep -oE '\[-[A-Za-z0-9]+|--[a-z][a-z0-9-]*|(^|[ |[])-[A-Za-z0-9]( |\]|$)' |
	sed -E 's/^[ |[]*//; s/[] ]*$//' | while read -r o; do
		case $o in
		--*) echo "$o" ;;
		-*) echo "${o#-}" | grep -o . | sed 's/^/-/' ;;
		esac
	done | sort -u
}
opts_man() {	# every argument of an Fl macro, up to the next macro
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$1" | sed 's/\\-/-/g' |
	awk '{ fl = 0; sub(/^\./, "", $1)
		for (i = 1; i <= NF; i++) {
			if ($i == "Fl") { fl = 1; continue }
			if ($i ~ /^[A-Z][a-z][a-z]?$/) { fl = 0; continue }
			if (fl && $i != "|") print $i
		} }' |
	while read -r o; do
		case $o in
		-*) echo "-$o" ;;
		*) echo "$o" | grep -o . | sed 's/^/-/' ;;
		esac
	done | sort -u
}

n=0
for bin in "$REC_BUILD"/bin/*; do
	name=$(basename "$bin")
	page=$(ls "$REC_TOP"/man/"$name".[158] 2>/dev/null | head -n 1)
	[ -n "$page" ] || fail "$name has no man page"
	"$bin" --help >help.out 2>&1 || fail "$name --help exits non-zero"
	grep -q "^usage: $name" help.out || fail "$name --help has no usage line"
	opts_usage <help.out >u.txt
	opts_man "$page" >m.txt
	[ -s u.txt ] || fail "$name: no options found in --help"
	diff u.txt m.txt >d.txt || { cat d.txt; fail "$name: --help and $page SYNOPSIS differ (< help, > man)"; }
	for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
		grep -q "^\.Sh $s" "$page" || fail "$page has no $s section"
	done
	case $page in *.[18])
		for s in FILES EXAMPLES; do
			grep -q "^\.Sh $s" "$page" || fail "$page has no $s section"
		done ;;
	esac
	groff -mdoc -ww -z "$page" 2>g.txt
	[ ! -s g.txt ] || { cat g.txt; fail "groff warns about $page"; }
	"$bin" -V >v.txt 2>&1 || "$bin" --version >v.txt 2>&1 ||
		fail "$name has no -V/--version"
	grep -q "[0-9]\.[0-9]" v.txt || fail "$name: version output has no version"
	# a bad flag is a usage error (64) with a one-line message
	expect_exit 64 "$bin" --no-such-flag
	n=$((n + 1))
done
for page in "$REC_TOP"/man/*.5; do
	groff -mdoc -ww -z "$page" 2>g.txt
	[ ! -s g.txt ] || { cat g.txt; fail "groff warns about $page"; }
done
[ "$n" -ge 1 ] || fail "no executables built"
say "$n executables checked"
