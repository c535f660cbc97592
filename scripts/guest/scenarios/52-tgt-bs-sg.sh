# tgt's SG passthrough as the drop-in alternative to `discburn serve sg:…` (issue 16, the
# README's tgtadm lines): in the guest, tgtd exports the kernel's drive (/dev/sg0, behind
# it the harness's tgt or virtual recorder) with --bstype=sg --device-type=pt on the
# guest's loopback, LUN 1 (tgt's LUN 0 is its controller), and discburn burns the shared
# ISO through it over iSCSI:
#   info       through tgtd: the drive's own identity (passed through) and a blank disc
#   write      --verify through tgtd
#   direct     after tgtd stops, the disc verifies through /dev/sr0 itself
# The host then finds the image byte for byte in the drive's backing file.
SCENARIO_DESC="tgtd --bstype=sg --device-type=pt on /dev/sg0 in the guest; discburn write --verify through it over iSCSI; verify through /dev/sr0 after"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v tgtd)"
  guest_add_bin "$1" "$(command -v tgtadm)"
  guest_add_discburn "$1" || return 1
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
unset DISCBURN_DRIVE
ifconfig lo 127.0.0.1 up || { fail "no loopback in the guest"; exit 1; }
mkdir -p /var/run/tgtd
tgtd -f -C 0 --iscsi portal=127.0.0.1:3260 >/tmp/tgtd.log 2>&1 &
TGTD=$!
i=0
until tgtadm -C 0 --lld iscsi --mode target --op show >/dev/null 2>&1 || [ "$i" -ge 100 ]; do i=$((i + 1)); sleep 0.1; done
IQN=iqn.2026-12.discburn.guest:pt
step tgtadm sh -c "tgtadm -C 0 --lld iscsi --mode target --op new --tid 1 -T $IQN &&
  tgtadm -C 0 --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 --bstype=sg --device-type=pt -b /dev/sg0 &&
  tgtadm -C 0 --lld iscsi --mode target --op bind --tid 1 -I 127.0.0.1"
rc=$?
sed 's/^/tgtd| /' /tmp/tgtd.log
expect_rc tgtadm 0 $rc
URL=iscsi://127.0.0.1:3260/$IQN/1

through_url discburn-over-tgt-sg "$URL"

kill -9 "$TGTD"
wait "$TGTD" 2>/dev/null

verify_direct
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  burned_through "$@"
}
