# growisofs on a DVD-RW in both recording modes. Sold blank, the disc is sequential
# (profile 0014h): growisofs -Z writes a first session from a folder and -M appends a
# second (incremental, write parameters page 05h, link size 16). dvd+rw-format -blank
# erases it (BLANK), dvd+rw-format -force formats it to restricted overwrite (FORMAT UNIT
# type 15h/00h, profile 0013h, as dvd+rw-mediainfo reports); growisofs -Z and -M then grow
# one volume in place (32 KiB-aligned WRITEs, the descriptors rewritten at LBA 16). The
# guest kernel mounts the disc after each mode and finds both folders byte for byte.
SCENARIO_DESC="DVD-RW: growisofs -Z/-M sequential, mount; dvd+rw-format -blank, -force (restricted overwrite); growisofs -Z/-M, mount"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd-rw"

scenario_prepare() { # payload root
  guest_add_dvd_rw_tools "$1"
  guest_add_mkisofs "$1"
  make_session_trees "$1"
}

scenario_guest() {
  cat <<'GUEST'
dvd+rw-mediainfo /dev/sr0 >/tmp/mi.out 2>&1
sed 's/^/mediainfo-seq| /' /tmp/mi.out
timed growisofs-Z-seq growisofs -Z /dev/sr0 -R -J /data/s1 || { fail "growisofs -Z (sequential) exit $?"; exit 1; }
replug_drive || { fail "drive gone after -Z"; exit 1; }
timed growisofs-M-seq growisofs -M /dev/sr0 -R -J /data/s2 || { fail "growisofs -M (sequential) exit $?"; exit 1; }
mount_same /data/s1 /data/s2
umount /mnt || { fail "umount"; exit 1; }
echo "SEQ: ok"
timed dvd+rw-format-blank dvd+rw-format -blank /dev/sr0 || { fail "dvd+rw-format -blank exit $?"; exit 1; }
timed dvd+rw-format dvd+rw-format -force /dev/sr0 || { fail "dvd+rw-format -force exit $?"; exit 1; }
replug_drive || { fail "drive gone after dvd+rw-format"; exit 1; }
dvd+rw-mediainfo /dev/sr0 >/tmp/mi.out 2>&1
sed 's/^/mediainfo-ro| /' /tmp/mi.out
timed growisofs-Z-ro growisofs -Z /dev/sr0 -R -J /data/s1 || { fail "growisofs -Z (restricted overwrite) exit $?"; exit 1; }
replug_drive || { fail "drive gone after -Z"; exit 1; }
timed growisofs-M-ro growisofs -M /dev/sr0 -R -J /data/s2 || { fail "growisofs -M (restricted overwrite) exit $?"; exit 1; }
mount_same /data/s1 /data/s2
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1
  grep -aq '^mediainfo-seq| .*14h, DVD-RW Sequential' "$log" ||
    { say "  dvd+rw-mediainfo did not report a sequential DVD-RW (14h) before formatting"; return 1; }
  grep -aq '^SEQ: ok' "$log" || { say "  the sequential sessions did not mount"; return 1; }
  grep -aq '^mediainfo-ro| .*13h, DVD-RW Restricted Overwrite' "$log" ||
    { say "  dvd+rw-mediainfo did not report restricted overwrite (13h) after dvd+rw-format -force"; return 1; }
  say "  dvd+rw-mediainfo read 14h (sequential) as sold and 13h (restricted overwrite) after formatting"
  mounted_same "$log" 20
}
