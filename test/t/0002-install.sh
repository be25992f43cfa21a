# make install puts every executable, man page and systemd unit under
# DESTDIR/PREFIX, and the installed binaries run.
. "$REC_TOP/test/lib.sh"

san=
under_san && san=SAN=1
make -s -C "$REC_TOP" $san BUILD="$REC_BUILD" install DESTDIR="$PWD/root" \
	PREFIX=/usr UNITDIR=/lib/systemd/system >make.out 2>&1 || { cat make.out; fail "make install failed"; }
for bin in "$REC_BUILD"/bin/*; do
	n=$(basename "$bin")
	[ -x "root/usr/bin/$n" ] || fail "$n not installed"
	"root/usr/bin/$n" --help >/dev/null 2>&1 || fail "installed $n --help fails"
done
for m in "$REC_TOP"/man/*.[158]; do
	b=$(basename "$m")
	[ -f "root/usr/share/man/man${b##*.}/$b" ] || fail "$b not installed"
done
if [ -d "$REC_TOP/scripts/systemd" ]; then
	for u in "$REC_TOP"/scripts/systemd/*; do
		[ -f "root/lib/systemd/system/$(basename "$u")" ] ||
			fail "$(basename "$u") not installed"
	done
fi
