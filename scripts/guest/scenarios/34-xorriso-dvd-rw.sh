# xorriso (libburn) on a DVD-RW in both modes: -as cdrecord -tao writes the shared image
# to the sequential disc and the kernel mounts it; -blank as_needed erases it (BLANK),
# -format as_needed formats it to restricted overwrite (FORMAT UNIT), -toc reports the
# profile, and a folder written with -map and -commit, then a second one appended the same
# way (libburn grows the overwritable volume), mounts with both folders byte for byte.
SCENARIO_DESC="DVD-RW: xorriso -as cdrecord -tao sequential, mount; -blank, -format (restricted overwrite), -map twice, mount"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd-rw"

scenario_prepare() { # payload root
  prepare_burner "$1" xorriso
  make_session_trees "$1"
}

scenario_guest() {
  cat <<'GUEST'
timed xorriso-tao-seq xorriso -as cdrecord -v dev=/dev/sr0 -tao /data/image.iso || { fail "xorriso -tao exit $?"; exit 1; }
mount_disc
cmp /mnt/README.TXT - <<EOT || { fail "README.TXT on the sequential disc"; exit 1; }
discburn guest harness
EOT
umount /mnt || { fail "umount"; exit 1; }
echo "SEQ: ok"
timed xorriso-blank xorriso -outdev /dev/sr0 -blank as_needed || { fail "xorriso -blank exit $?"; exit 1; }
timed xorriso-format xorriso -outdev /dev/sr0 -format as_needed || { fail "xorriso -format exit $?"; exit 1; }
xorriso -outdev /dev/sr0 -toc 2>&1 | sed 's/^/toc| /'
timed xorriso-map-1 xorriso -outdev /dev/sr0 -map /data/s1 / -commit || { fail "xorriso -map (1) exit $?"; exit 1; }
timed xorriso-map-2 xorriso -dev /dev/sr0 -map /data/s2 / -commit || { fail "xorriso -map (2) exit $?"; exit 1; }
mount_same /data/s1 /data/s2
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1
  grep -aq '^SEQ: ok' "$log" || { say "  the sequential burn did not mount"; return 1; }
  grep -aqi '^toc| Media current: DVD-RW restricted overwrite' "$log" ||
    { say "  xorriso -toc did not report a DVD-RW in restricted overwrite"; return 1; }
  say "  xorriso -toc reports the formatted disc as DVD-RW restricted overwrite"
  mounted_same "$log" 10
}
