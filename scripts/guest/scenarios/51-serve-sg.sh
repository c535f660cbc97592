# A real drive served over the network (issue 16): in the guest, `discburn serve
# sg:/dev/sr0` exports the kernel's drive — the harness's tgt or virtual recorder behind
# the guest's sr/sg drivers — as an iSCSI target on the guest's loopback, and discburn
# burns the shared ISO through it as a controller machine would (--drive iscsi://…):
#   serve      prints the LUN's URL; the drive is held exclusively while served, so a
#              local `write` to /dev/sr0 is refused (exit 3)
#   info       through the target: the drive's identity and a blank disc
#   write      --verify through the target: every CDB passed through SG_IO as sent
#   direct     after the server stops, the disc verifies through /dev/sr0 itself
# The host then finds the image byte for byte in the drive's backing file.
SCENARIO_DESC="discburn serve sg:/dev/sr0 in the guest; write --verify through it over iSCSI; busy while served; verify through /dev/sr0 after"

scenario_prepare() { # payload root
  guest_add_discburn "$1" || return 1
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
unset DISCBURN_DRIVE
ifconfig lo 127.0.0.1 up || { fail "no loopback in the guest"; exit 1; }
discburn serve --listen 127.0.0.1:3260 sg:/dev/sr0 >/tmp/serve.out 2>/tmp/serve.err &
SERVE=$!
i=0
while ! grep -q '^iscsi://' /tmp/serve.out && [ "$i" -lt 200 ]; do i=$((i + 1)); sleep 0.1; done
sed 's/^/serve| /' /tmp/serve.out /tmp/serve.err
URL=$(awk '/^iscsi:\/\// { print $1; exit }' /tmp/serve.out)
[ -n "$URL" ] || { fail "discburn serve sg:/dev/sr0 printed no iscsi:// URL"; exit 1; }

step busy discburn --drive /dev/sr0 write image.iso; expect_rc busy 3 $?

through_url discburn-over-serve "$URL"

kill -INT "$SERVE"
wait "$SERVE"
echo "STEP-RC: serve-stopped $?"

verify_direct
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0
  grep -aq '^serve| iscsi://127.0.0.1:3260/.*/0  sg:/dev/sr0' "$log" ||
    { say "  discburn serve did not list sg:/dev/sr0 as LUN 0"; ok=1; }
  grep -aq '^STEP-RC: serve-stopped 0' "$log" || { say "  discburn serve did not stop cleanly on Ctrl-C"; ok=1; }
  burned_through "$@" "busy| discburn:" || ok=1
  return $ok
}
