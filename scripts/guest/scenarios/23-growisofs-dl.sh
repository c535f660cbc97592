# growisofs -dvd-compat on a blank DVD+R DL reads the layer boundary before its first
# WRITE (READ DISC STRUCTURE 20h: Layer 0's capacity, Init Status "can still be set"),
# then sets Layer 0 to half the image in ECC blocks with SEND DISC STRUCTURE 20h
# ("splitting layers at N blocks", growisofs_mmc.cpp plus_r_dl_split) so both layers end
# at the same radius, and closes the disc with CLOSE function 05h (finalize with minimal
# radius, what growisofs sends on DVD+R DL). Debian's growisofs warns instead of refusing
# when the image fits on Layer 0 ("more than 50% of space will be *wasted*", Debian
# #340698), so the shared image is split too. The host checks the drive kept the split
# it was sent and the disc holds the image; the kernel mounts it.
SCENARIO_DESC="growisofs -dvd-compat on a blank DVD+R DL: SEND DISC STRUCTURE 20h splits the layers, disc closed, mount"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd+r-dl"

scenario_prepare() { prepare_burner "$1" growisofs; }

scenario_guest() {
  cat <<'GUEST'
timed growisofs-dvd-compat-dl growisofs -dvd-compat -Z /dev/sr0=/data/image.iso >/tmp/compat.out 2>&1
rc=$?
sed 's/^/growisofs-dvd-compat| /' /tmp/compat.out
[ "$rc" -eq 0 ] || { fail "growisofs -dvd-compat exit $rc"; exit 1; }
split=$(sed -n 's/.*splitting layers at \([0-9]*\) blocks.*/\1/p' /tmp/compat.out)
[ -n "$split" ] || { fail "growisofs did not split the layers"; exit 1; }
echo "SPLIT: $split"
mount_disc
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local split
  split=$(console_value "$1" SPLIT)
  [ -n "$split" ] || { say "  growisofs reported no layer split"; return 1; }
  python3 - "$2.state" "$split" <<'PY' || return 1
import json, sys
s = json.load(open(sys.argv[1]))
split = int(sys.argv[2])
assert s["media"] == "DvdPlusRDl", s["media"]
assert s.get("layer0") == split, f"Layer 0 is {s.get('layer0')}, growisofs sent {split}"
assert s["capacity"] == 2 * split, s["capacity"]
assert s["finalized"], "the disc is not closed"
PY
  say "  the drive holds growisofs' layer break at $split sectors (capacity $((2 * split))), disc closed"
  mounted_shared_iso "$@"
}
