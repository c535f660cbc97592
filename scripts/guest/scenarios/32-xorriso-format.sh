# xorriso on overwritable media: -format as_needed formats a blank DVD+RW / BD-RE,
# -blank as_needed then finds nothing to do, a folder is written with -map and -commit;
# the guest kernel mounts the result. Only against discburn serve (tgt has no such medium).
SCENARIO_DESC="xorriso -format as_needed, -blank as_needed, -map folder, mount"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd+rw bd-re"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v xorriso)"
  make_tree "$1/data/s1" 1024
}

scenario_guest() {
  cat <<'GUEST'
timed xorriso-format xorriso -outdev /dev/sr0 -format as_needed || { fail "xorriso -format exit $?"; exit 1; }
timed xorriso-blank xorriso -outdev /dev/sr0 -blank as_needed || { fail "xorriso -blank exit $?"; exit 1; }
timed xorriso-map xorriso -outdev /dev/sr0 -map /data/s1 / -commit || { fail "xorriso -map exit $?"; exit 1; }
mount_same /data/s1
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  mounted_same "$1" 5
}
