# Benchmark: CPU seconds and peak RSS to encrypt (and decrypt) a 256 MiB
# archive with lib/age.c (through test/helpers/agetool) and with the stock
# Go age tool, side by side in one run on the same file: runs alternate,
# each tool runs 7 times, the table shows medians. Prints a markdown table.
set -eu
command -v age >/dev/null || { echo "age is not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed" >&2; exit 1; }
runs=7
size=$((256 * 1024 * 1024))

age-keygen -o id 2>/dev/null
r=$(age-keygen -y id)
# An archive-like input: a tar of incompressible "recordings".
mkdir seg
for i in 1 2 3 4; do
	head -c $((size / 4 - 1024 * 4)) /dev/urandom >seg/$i.wav
done
tar cf in.tar seg && rm -rf seg
truncate -s $size in.tar		# exactly 256 MiB
cat in.tar >/dev/null			# warm the page cache

# measure NAME CMD...: append "user sys rss_kib" for one run to NAME.t
measure() {
	local name=$1
	shift
	/usr/bin/time -f '%U %S %M' -o t.one "$@"
	cat t.one >>"$name.t"
}

for i in $(seq $runs); do
	measure ours-enc agetool -r "$r" -o ours.age in.tar
	measure age-enc age -r "$r" -o age.age in.tar
	measure ours-dec agetool -d -i id -o ours.out age.age
	measure age-dec age -d -i id -o age.out ours.age
	cmp -s ours.out in.tar && cmp -s age.out in.tar ||
		{ echo "round trip differs" >&2; exit 1; }
	rm -f ours.age age.age ours.out age.out
done

# median FILE COLUMN: the median of a column of numbers.
median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
cpu() {
	awk '{ printf "%.2f\n", $1 + $2 }' "$1.t" >"$1.cpu"
	median "$1.cpu" 1
}

echo "Encrypting and decrypting a 256 MiB tar to one X25519 recipient;"
echo "median of $runs alternating runs, CPU = user + sys, output to a file."
echo
echo "| operation | tool | user s | sys s | CPU s | peak RSS MiB | CPU vs age |"
echo "|---|---|---|---|---|---|---|"
for op in enc dec; do
	ref=$(cpu age-$op)
	for tool in ours age; do
		n=$tool-$op
		c=$(cpu $n)
		label=$([ $tool = ours ] && echo "rec (lib/age.c)" ||
		    echo "age $(age --version)")
		printf '| %s | %s | %s | %s | %s | %s | %s |\n' \
		    "$([ $op = enc ] && echo encrypt || echo decrypt)" \
		    "$label" "$(median $n.t 1)" "$(median $n.t 2)" "$c" \
		    "$(awk -v k="$(median $n.t 3)" 'BEGIN { printf "%.1f", k / 1024 }')" \
		    "$(awk -v a="$c" -v b="$ref" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
	done
done
rm -f in.tar
