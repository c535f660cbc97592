# The discburn CLI on a real kernel, one guest boot, in the order a user would go:
#   drives            lists /dev/sr0 (+ /dev/sg0) with the drive's identity, from sysfs
#   info              with no --drive: uses the only drive found; DVD+R, blank medium
#   write --verify    burns the shared ISO (the image growisofs and xorriso burn), closes
#                     the disc (the default without --multi), reads it back; timed
#   info              the disc is now closed (complete)
#   verify            the standalone verify command agrees with the closed disc
#   write again       refused: exit 4 (medium unsuitable) with a sentence saying why
#   no drive          the SCSI device deleted through sysfs: `info` without --drive exits 3
#                     and says how to use the virtual recorder
# The host then finds the image byte for byte in the drive's backing file (and not other.iso).
SCENARIO_DESC="discburn drives/info/write --verify/info/verify/refused rewrite/no drive through /dev/sr0"
# Also on the dual-layer media (serve only), so discburn's burn of the shared image sits
# beside growisofs' and xorriso's on DVD+R DL (23, 30).
SCENARIO_MEDIA="dvd+r dvd+r-dl dvd-rw"

# The profile `discburn info` names for a medium of the harness.
profile_of() { # medium
  case $1 in
    dvd+r) echo "DVD+R" ;;
    dvd+r-dl) echo "DVD+R DL" ;;
    dvd-r-dl) echo "DVD-R DL sequential recording" ;;
    dvd-rw) echo "DVD-RW sequential recording" ;;
    bd-r-dl) echo "BD-R SRM" ;;
  esac
}

scenario_prepare() { # payload root
  guest_add_discburn "$1" || return 1
  shared_iso "$1/data/image.iso"
  make_iso "$1/data/other.iso" 256
}

scenario_guest() {
  cat <<'GUEST'
unset DISCBURN_DRIVE
case $MEDIUM in
  dvd+r) PROFILE="DVD+R" ;;
  dvd+r-dl) PROFILE="DVD+R DL" ;;
  dvd-r-dl) PROFILE="DVD-R DL sequential recording" ;;
  dvd-rw) PROFILE="DVD-RW sequential recording" ;;
  bd-r-dl) PROFILE="BD-R SRM" ;;
esac
step drives discburn drives; expect_rc drives 0 $?
has drives "/dev/sr0 (also /dev/sg0)"

step info discburn info; expect_rc info 0 $?
has info "Drive    /dev/sr0"
has info "Medium   $PROFILE — blank"

timed discburn step write discburn --drive /dev/sr0 write --verify image.iso
expect_rc write 0 $?
has write "(finalized)"
has write "Verify   OK"

step info-after discburn --drive /dev/sr0 info; expect_rc info-after 0 $?
has info-after "closed"

step verify discburn --drive /dev/sr0 verify image.iso; expect_rc verify 0 $?
has verify "Verified: the disc matches image.iso"

step rewrite discburn --drive /dev/sr0 write other.iso; expect_rc rewrite 4 $?
# tgt reports a closed DVD+R as DVD-ROM (a disc that "cannot be written"); the virtual
# recorder keeps the DVD+R profile, closed ("nothing more can be written to it").
if [ "$DRIVE" = tgt ]; then has rewrite "cannot be written"; else has rewrite "nothing more can be written"; fi

# Remove the drive from the kernel: sysfs then lists no sr device.
echo 1 >/sys/class/block/sr0/device/delete
i=0
while [ -e /sys/class/block/sr0 ] && [ "$i" -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
step none discburn info; expect_rc none 3 $?
has none "No recorder found"
has none "virtual:"
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0 line text
  # The drive's INQUIRY identity, as sysfs (drives) and INQUIRY (info) report it: tgt's
  # vendor IET, product VIRTUAL-CDROM; the virtual recorder's DISCBURN VIRTUAL RECORDER.
  local id="IET VIRTUAL-CDROM"
  [ "$DRIVE" = serve ] && id="DISCBURN VIRTUAL RECORDER"
  grep -aq "^drives|   /dev/sr0 (also /dev/sg0)  $id" "$log" ||
    { say "  discburn drives did not list /dev/sr0 + /dev/sg0 as $id"; ok=1; }
  grep -aq "^info|          $id" "$log" ||
    { say "  discburn info did not name $id"; ok=1; }
  local profile
  profile=$(profile_of "$MEDIUM")
  grep -aqF "info| Profiles " "$log" && grep -aF "info| Profiles " "$log" | grep -qF "$profile" ||
    { say "  discburn info did not list the $profile profile"; ok=1; }
  grep -aqF "info| Medium   $profile — blank" "$log" || { say "  discburn info did not see a blank $profile"; ok=1; }
  grep -aq '^info-after| Medium   .* — closed' "$log" || { say "  discburn info after the burn did not see a closed disc"; ok=1; }
  grep -aqE '^rewrite\| discburn: .*(cannot be written|nothing more can be written)' "$log" ||
    { say "  the rewrite refusal sentence is missing"; ok=1; }
  for line in "info| Medium" "write| Burned" "write| Steps" "write| Disc" "write| Verify" \
    "info-after| Medium" "rewrite| discburn:" "rewrite|   what to try" "none| discburn:" "none|   what to try"; do
    text=$(grep -a "^$line" "$log" | tail -n 1 | tr -d '\r')
    [ -z "$text" ] || say "  $text"
  done
  disc_holds "$2" "$3/data/image.iso" || ok=1
  return $ok
}
