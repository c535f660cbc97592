# growisofs on a DVD-R DL reads the end of Layer 0 (READ DISC STRUCTURE 10h, the recorded
# physical format information, bytes 13–15) before its first WRITE and refuses any image
# that fits on Layer 0 ("more than 50% of space will be *wasted*!", growisofs_mmc.cpp,
# profile 15h), -dvd-compat or not; a real drive answers the same, so the refusal is the
# pass and the disc must stay blank. (xorriso burns small images to DVD-R DL: 30-xorriso.)
SCENARIO_DESC="growisofs -Z refuses an image that fits on Layer 0 of a DVD-R DL; the disc stays blank"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd-r-dl"

scenario_prepare() { prepare_burner "$1" growisofs; }

scenario_guest() {
  cat <<'GUEST'
growisofs -Z /dev/sr0=/data/image.iso >/tmp/z.out 2>&1
rc=$?
sed 's/^/growisofs| /' /tmp/z.out
[ "$rc" -ne 0 ] || { fail "growisofs wrote an image that fits on Layer 0"; exit 1; }
grep -q 'more than 50% of space will be \*wasted\*' /tmp/z.out || { fail "growisofs did not refuse for the layer size"; exit 1; }
echo "REFUSED: fits on layer 0"
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  grep -aq '^REFUSED: fits on layer 0' "$1" || { say "  growisofs did not refuse"; return 1; }
  python3 - "$2.state" <<'PY' || return 1
import json, os, sys
if not os.path.exists(sys.argv[1]):
    sys.exit(0)  # never written: no state saved
s = json.load(open(sys.argv[1]))
assert s["media"] == "DvdMinusRDl", s["media"]
assert all(t["written"] == 0 for t in s["tracks"]), s["tracks"]
PY
  say "  the disc stays blank"
}
