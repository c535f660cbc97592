# xorriso multi-session appends: -map a folder and -commit with -close off, twice (the
# second run loads the first session's tree and adds to it); the guest kernel mounts the
# last session and finds both folders. Only against discburn serve: a closed session on
# tgt's DVD+R reads as DVD-ROM, so nothing can be appended (scripts/guest/README.md).
SCENARIO_DESC="xorriso -outdev /dev/sr0 -map s1 (session 1), -dev -map s2 (session 2), mount"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd+r bd-r dvd+rw"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v xorriso)"
  make_session_trees "$1"
}

scenario_guest() {
  cat <<'GUEST'
timed xorriso-session1 xorriso -outdev /dev/sr0 -close off -map /data/s1 / -commit || { fail "xorriso session 1 exit $?"; exit 1; }
replug_drive || { fail "drive gone after session 1"; exit 1; }
timed xorriso-session2 xorriso -dev /dev/sr0 -close off -map /data/s2 / -commit || { fail "xorriso session 2 exit $?"; exit 1; }
mount_same /data/s1 /data/s2
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  mounted_same "$1" 10
}
