# Every executable has a man page whose SYNOPSIS, rendered to text, is
# exactly what its --help (and -h) prints; each page has the sections our
# man pages promise, in order; every environment variable a tool reads is
# in its ENVIRONMENT section; argument names are lower case; groff renders
# every page without a warning.
. "$REC_TOP/test/lib.sh"

# the usage block of --help as one line of words
usage_words() {
	sed -n '/^usage:/,/^$/p' | sed '1s/^usage://' | tr -s ' \t\n' '   ' |
	sed 's/^ //; s/ $//'
}
# the SYNOPSIS section of a page rendered to text, as one line of words
synopsis_words() {
	groff -mdoc -Tascii -P-c -rLL=300n "$1" 2>/dev/null |
	sed 's/.\x08//g' | sed -n '/^SYNOPSIS/,/^[A-Z]/p' | sed '1d;$d' |
	tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}
# the .Sh names of a page, one a line
sections() { sed -n 's/^\.Sh //p' "$1" | sed 's/^"//; s/"$//'; }
nine='NAME
SYNOPSIS
DESCRIPTION
OPTIONS
ENVIRONMENT
FILES
EXIT STATUS
EXAMPLES
SEE ALSO'
# in_order FILE WANT: of the nine, FILE has exactly WANT (one a line), in
# this order (other sections, like SIGNALS, may come between)
in_order() {
	local got
	got=$(sections "$1" | grep -Fx "$nine")
	[ "$got" = "$2" ] || {
		printf 'want:\n%s\ngot:\n%s\n' "$2" "$got"
		fail "$1: sections missing or out of order"
	}
}
# the environment variables a tool reads (test hooks REC_TEST_* excepted)
env_read() {
	local files="$REC_TOP/cmd/$1/*.c $REC_TOP/lib/conf.c"
	case $1 in rec-upload)
		files="$files $REC_TOP/lib/cred.c $REC_TOP/lib/s3.c" ;;
	esac
	# shellcheck disable=SC2086
	grep -oh 'getenv("[A-Z_0-9]*")' $files | sed 's/getenv("//; s/")//' |
	grep -v '^REC_TEST_' | sort -u
}

n=0
for bin in "$REC_BUILD"/bin/*; do
	name=$(basename "$bin")
	page=$(ls "$REC_TOP"/man/"$name".[158] 2>/dev/null | head -n 1)
	[ -n "$page" ] || fail "$name has no man page"
	"$bin" --help >help.out 2>&1 || fail "$name --help exits non-zero"
	"$bin" -h >h.out 2>&1 || fail "$name -h exits non-zero"
	cmp -s help.out h.out || fail "$name: -h and --help differ"
	grep -q "^usage: $name" help.out || fail "$name --help has no usage line"
	usage_words <help.out >u.txt
	synopsis_words "$page" >m.txt
	[ -s m.txt ] || fail "$page: no SYNOPSIS rendered"
	diff u.txt m.txt >d.txt ||
		{ cat d.txt; fail "$name: --help and $page SYNOPSIS differ (< help, > man)"; }
	# argument names are lower case, in the page and in --help
	if sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$page" |
	    grep -q 'Ar [A-Z]'; then
		fail "$page: an upper-case argument name in SYNOPSIS"
	fi
	grep -Eq '\[--?[a-z-]+ [A-Z]' help.out &&
		fail "$name --help: an upper-case argument name"
	case $page in *.[18]) in_order "$page" "$nine" ;; esac
	# every environment variable the tool reads is documented
	env_read "$name" >env.txt
	sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$page" >envsec.txt
	while read -r v; do
		grep -q "^\.It Ev .*\b$v\b" envsec.txt ||
			fail "$page: ENVIRONMENT lacks $v (read by $name)"
	done <env.txt
	groff -mdoc -ww -z "$page" 2>g.txt
	[ ! -s g.txt ] || { cat g.txt; fail "groff warns about $page"; }
	"$bin" -V >v.txt 2>&1 || fail "$name has no -V"
	"$bin" --version >v2.txt 2>&1 || fail "$name has no --version"
	cmp -s v.txt v2.txt || fail "$name: -V and --version differ"
	grep -q "^$name [0-9]\.[0-9]" v.txt || fail "$name: version output has no version"
	# a bad flag is a usage error (64) with a one-line message
	expect_exit 64 "$bin" --no-such-flag
	n=$((n + 1))
done
for page in "$REC_TOP"/man/*.5; do
	# NAME and DESCRIPTION, then those of the others that apply, in order
	have=$(sections "$page" | grep -Fx "$nine")
	want=$(printf '%s\n' "$nine" | grep -Fx "$have")
	case $have in "NAME"$'\n'"DESCRIPTION"*) ;;
	*) fail "$page: does not start with NAME and DESCRIPTION" ;; esac
	in_order "$page" "$want"
	groff -mdoc -ww -z "$page" 2>g.txt
	[ ! -s g.txt ] || { cat g.txt; fail "groff warns about $page"; }
done
[ "$n" -ge 5 ] || fail "only $n executables built"
say "$n executables checked"
