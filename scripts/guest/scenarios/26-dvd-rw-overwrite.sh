# A DVD-RW in restricted overwrite (profile 0013h) written over in place by three
# burners, each result read back by the guest kernel (dd of /dev/sr0 against the image):
#   dvd+rw-format -force   formats the sequential disc to restricted overwrite
#   growisofs -Z =IMAGE    the shared image (32 KiB-aligned WRITEs from LBA 0)
#   xorriso -as cdrecord   another image over it
#   discburn write         the shared image again, --verify
# So growisofs' and discburn's burns of the same image read back the same, byte for byte,
# and the host finds it in the drive's backing file.
SCENARIO_DESC="DVD-RW restricted overwrite: dvd+rw-format -force; growisofs -Z=image, xorriso -as cdrecord other, discburn write image; each read back by the kernel"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd-rw"

scenario_prepare() { # payload root
  guest_add_dvd_rw_tools "$1"
  guest_add_bin "$1" "$(command -v xorriso)"
  guest_add_discburn "$1" || return 1
  shared_iso "$1/data/image.iso"
  make_iso "$1/data/other.iso" 256
}

scenario_guest() {
  cat <<'GUEST'
# reads_back NAME IMAGE: the first sectors of /dev/sr0, read by the kernel, are IMAGE.
reads_back() {
  replug_drive || { fail "drive gone after $1"; exit 1; }
  _n=$(( $(wc -c <"$2") / 2048 ))
  if dd if=/dev/sr0 bs=2048 count="$_n" 2>/dev/null | cmp -s - "$2"; then
    echo "READ-BACK: $1 $_n sectors"
  else
    fail "$1: /dev/sr0 does not read back as $2"
    exit 1
  fi
}
timed dvd+rw-format dvd+rw-format -force /dev/sr0 || { fail "dvd+rw-format -force exit $?"; exit 1; }
replug_drive || { fail "drive gone after dvd+rw-format"; exit 1; }
dvd+rw-mediainfo /dev/sr0 >/tmp/mi.out 2>&1
sed 's/^/mediainfo-ro| /' /tmp/mi.out
timed growisofs-ro growisofs -Z /dev/sr0=/data/image.iso || { fail "growisofs -Z= exit $?"; exit 1; }
reads_back growisofs /data/image.iso
timed xorriso-ro xorriso -as cdrecord -v dev=/dev/sr0 /data/other.iso || { fail "xorriso -as cdrecord exit $?"; exit 1; }
reads_back xorriso /data/other.iso
timed discburn-ro step write discburn --drive /dev/sr0 write --verify /data/image.iso
expect_rc write 0 $?
has write "Verify   OK"
reads_back discburn /data/image.iso
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0 who
  grep -aq '^mediainfo-ro| .*13h, DVD-RW Restricted Overwrite' "$log" ||
    { say "  dvd+rw-mediainfo did not report restricted overwrite (13h) after dvd+rw-format -force"; ok=1; }
  for who in growisofs xorriso discburn; do
    grep -aq "^READ-BACK: $who " "$log" || { say "  the kernel did not read $who's burn back"; ok=1; }
  done
  [ "$ok" -eq 0 ] && say "  the kernel read back growisofs', xorriso's and discburn's burns in restricted overwrite"
  disc_holds "$2" "$3/data/image.iso" || ok=1
  return $ok
}
