# growisofs on a DVD-RW in both recording modes. Sold blank, the disc is sequential
# (profile 0014h): growisofs -Z writes the shared image incrementally (page 05h, link
# size 16) and the kernel mounts it. dvd+rw-format -force then formats it to restricted
# overwrite (FORMAT UNIT, profile 0013h, as dvd+rw-mediainfo reports), growisofs -Z
# writes the image again there (32 KiB-aligned WRITEs, Quick Grow) and the kernel mounts
# it; the host finds the image byte for byte at LBA 0.
SCENARIO_DESC="growisofs -Z on a sequential DVD-RW, mount; dvd+rw-format -force to restricted overwrite, growisofs -Z again, mount"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd-rw"

scenario_prepare() { # payload root
  prepare_burner "$1" growisofs
  guest_add_bin "$1" "$(command -v dvd+rw-format)"
  guest_add_bin "$1" "$(command -v dvd+rw-mediainfo)"
}

scenario_guest() {
  cat <<'GUEST'
dvd+rw-mediainfo /dev/sr0 2>&1 | sed 's/^/mediainfo-seq| /'
timed growisofs-dvd-rw-seq growisofs -Z /dev/sr0=/data/image.iso || { fail "growisofs -Z (sequential) exit $?"; exit 1; }
mount_disc
cmp /mnt/README.TXT - <<EOT || { fail "README.TXT on the sequential disc"; exit 1; }
discburn guest harness
EOT
umount /mnt
echo "SEQ: ok"
timed dvd+rw-format dvd+rw-format -force /dev/sr0 || { fail "dvd+rw-format -force exit $?"; exit 1; }
replug_drive || { fail "the drive did not come back"; exit 1; }
dvd+rw-mediainfo /dev/sr0 >/tmp/mi.out 2>&1
sed 's/^/mediainfo-ro| /' /tmp/mi.out
grep -q '13h, DVD-RW Restricted Overwrite' /tmp/mi.out || { fail "not restricted overwrite after dvd+rw-format"; exit 1; }
timed growisofs-dvd-rw-ro growisofs -Z /dev/sr0=/data/image.iso || { fail "growisofs -Z (restricted overwrite) exit $?"; exit 1; }
mount_disc
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  grep -aq '^SEQ: ok' "$1" || { say "  the sequential burn did not mount"; return 1; }
  grep -aq '^mediainfo-ro| .*13h, DVD-RW Restricted Overwrite' "$1" || { say "  no restricted overwrite"; return 1; }
  mounted_shared_iso "$@"
}
