# xorriso (libburn) on a DVD-RW in both modes: -as cdrecord -tao writes the shared image
# to the sequential disc and the kernel mounts it; -blank as_needed blanks it again (BLANK
# minimal), -format as_needed formats it to restricted overwrite (FORMAT UNIT), a folder
# is written with -map and -commit, and the kernel mounts that.
SCENARIO_DESC="xorriso -as cdrecord -tao on a sequential DVD-RW, mount; -blank as_needed, -format as_needed (restricted overwrite), -map folder, mount"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd-rw"

scenario_prepare() { # payload root
  prepare_burner "$1" xorriso
  make_tree "$1/data/s1" 1024
}

scenario_guest() {
  cat <<'GUEST'
timed xorriso-dvd-rw-tao xorriso -as cdrecord -v dev=/dev/sr0 -tao /data/image.iso || { fail "xorriso -tao exit $?"; exit 1; }
mount_disc
cmp /mnt/README.TXT - <<EOT || { fail "README.TXT on the sequential disc"; exit 1; }
discburn guest harness
EOT
umount /mnt
echo "SEQ: ok"
timed xorriso-dvd-rw-blank xorriso -outdev /dev/sr0 -blank as_needed || { fail "xorriso -blank exit $?"; exit 1; }
timed xorriso-dvd-rw-format xorriso -outdev /dev/sr0 -format as_needed || { fail "xorriso -format exit $?"; exit 1; }
xorriso -outdev /dev/sr0 -toc 2>&1 | sed 's/^/toc| /'
timed xorriso-dvd-rw-map xorriso -outdev /dev/sr0 -map /data/s1 / -commit || { fail "xorriso -map exit $?"; exit 1; }
mount_same /data/s1
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  grep -aq '^SEQ: ok' "$1" || { say "  the sequential burn did not mount"; return 1; }
  grep -aq '^toc| .*DVD-RW restricted overwrite' "$1" || { say "  xorriso -toc did not show restricted overwrite"; return 1; }
  mounted_same "$1" 5
}
