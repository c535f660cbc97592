# Sourced inside the guest (busybox sh) before /scenario.sh. Markers the host reads:
#   SCENARIO-TIME: <name> <seconds>     wall time of one timed command
#   SCENARIO-RESULT: PASS | FAIL <why>  the scenario's verdict (print exactly one)

# Seconds since boot with centisecond resolution (busybox has no date +%N).
uptime_s() { cut -d ' ' -f 1 /proc/uptime; }

# timed NAME CMD ARGS...: runs CMD, prints its wall time, returns its exit status.
timed() {
  _name=$1
  shift
  _t0=$(uptime_s)
  "$@"
  _rc=$?
  _t1=$(uptime_s)
  echo "SCENARIO-TIME: $_name $(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.2f", b - a }')"
  return $_rc
}

pass() { echo "SCENARIO-RESULT: PASS"; }
fail() { echo "SCENARIO-RESULT: FAIL $*"; }

# step NAME CMD...: runs CMD with its output kept in /tmp/step.out and echoed to the
# console as "NAME| line", then "STEP-RC: NAME rc"; returns CMD's status.
step() {
  _s=$1
  shift
  "$@" >/tmp/step.out 2>&1
  _rc=$?
  sed "s/^/$_s| /" /tmp/step.out
  echo "STEP-RC: $_s $_rc"
  return $_rc
}
# expect_rc NAME WANT GOT
expect_rc() { [ "$3" -eq "$2" ] || { fail "$1 exited $3, expected $2"; exit 1; }; }
# has NAME TEXT: the last step's output contains TEXT.
has() { grep -qF -- "$2" /tmp/step.out || { fail "$1: output lacks '$2'"; exit 1; }; }

# through_url TIMING URL: `info` (a blank disc) and a timed `write --verify image.iso`
# through URL, the iSCSI address of the drive the guest exports (51, 52).
through_url() {
  step info discburn --drive "$2" info; expect_rc info 0 $?
  has info "— blank"
  timed "$1" step write discburn --drive "$2" write --verify image.iso
  expect_rc write 0 $?
  has write "Verify   OK"
}
# verify_direct: the disc verifies through /dev/sr0 itself, the exporter stopped.
verify_direct() {
  step direct discburn --drive /dev/sr0 verify image.iso; expect_rc direct 0 $?
  has direct "Verified: the disc matches image.iso"
}

# Forgets the drive and finds it again (the kernel then rereads the TOC), as a user
# does by reloading the disc: what a mount of a freshly written disc needs.
replug_drive() {
  for d in /sys/class/scsi_device/*/device/delete; do echo 1 >"$d"; done
  for h in /sys/class/scsi_host/host*/scan; do echo "- - -" >"$h"; done
  _i=0
  while { [ ! -b /dev/sr0 ] || [ ! -c /dev/sg0 ]; } && [ "$_i" -lt 100 ]; do
    _i=$((_i + 1))
    sleep 0.1
  done
  [ -b /dev/sr0 ]
}

# Mounts the disc in /dev/sr0 on /mnt with the kernel's isofs.
mount_disc() {
  replug_drive || { fail "the drive did not come back after a rescan"; exit 1; }
  mkdir -p /mnt
  mount -t iso9660 -o ro /dev/sr0 /mnt || { fail "mount -t iso9660 /dev/sr0"; exit 1; }
  echo "MOUNTED: $(ls /mnt | tr '\n' ' ')"
}

# Every file of DIR (a tree of the payload) is on the mounted disc, byte for byte.
same_tree() { # dir under /data, as burned at the disc's root
  _n=0
  for _f in $(cd "$1" && find . -type f); do
    cmp "$1/$_f" "/mnt/$_f" || { fail "$_f differs on the mounted disc"; exit 1; }
    _n=$((_n + 1))
  done
  echo "MOUNT-SAME: $_n files of $1"
}

# Mounts the disc and checks every DIR against it (mount_disc, then same_tree each).
mount_same() { # dir under /data ...
  mount_disc
  for _d in "$@"; do same_tree "$_d"; done
}
