# Exclusive access on a real kernel: while the disc is mounted, SgTransport::open must be
# refused with OpenError::Busy through /dev/sr0 and through /dev/sg0 (whose block sibling
# it claims), a shared open must still work, and after umount the exclusive open succeeds.
# The discburn CLI, asked to write to the mounted disc, exits 3 (no recorder) with a
# sentence naming `umount /dev/sr0`.
SCENARIO_DESC="mounted disc: exclusive open of /dev/sr0 and /dev/sg0 refused as busy (sg_probe, discburn write), allowed after umount"

scenario_prepare() { # payload root
  local bin
  bin=$(build_static discburn-sg --example sg_probe) || return 1
  strip -o "$1/usr/bin/sg_probe" "$bin"
  guest_add_discburn "$1" || return 1
  make_iso "$1/data/image.iso" 512
}

# A non-empty backing file is a written DVD-ROM in tgt, and a finalized ROM disc in the
# virtual recorder (no state file): the ISO we mount.
scenario_disc() { # backing file
  cp "$payload/data/image.iso" "$1"
}

scenario_guest() {
  cat <<'GUEST'
mkdir -p /mnt
mount -t iso9660 -o ro /dev/sr0 /mnt || { fail "mount /dev/sr0"; exit 1; }
cmp /mnt/README.TXT - <<EOT || { fail "mounted disc content"; exit 1; }
discburn guest harness
EOT
sg_probe /dev/sr0 --expect-busy || { fail "busy refusal via /dev/sr0"; exit 1; }
sg_probe /dev/sg0 --expect-busy || { fail "busy refusal via /dev/sg0"; exit 1; }
discburn --drive /dev/sr0 write image.iso >/tmp/cli.out 2>&1
rc=$?
sed 's/^/cli-busy| /' /tmp/cli.out
[ "$rc" -eq 3 ] || { fail "discburn write on a mounted disc exited $rc, expected 3"; exit 1; }
umount /mnt || { fail "umount"; exit 1; }
sg_probe /dev/sr0 || { fail "open after umount"; exit 1; }
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local n
  n=$(grep -ac '^PROBE: busy-refused .*umount /dev/sr0' "$1")
  if [ "$n" -ne 2 ]; then
    say "  expected 2 busy refusals naming the fix, saw $n"
    return 1
  fi
  say "  $(grep -a '^PROBE: busy-refused' "$1" | tail -n 1 | tr -d '\r')"
  grep -aq '^PROBE: get-configuration profile=0010 ' "$1" || { say "  no DVD-ROM profile after umount"; return 1; }
  if ! grep -aq '^cli-busy| discburn: .*umount /dev/sr0' "$1"; then
    say "  discburn write on the mounted disc did not name umount /dev/sr0"
    return 1
  fi
  say "  $(grep -a '^cli-busy| discburn: ' "$1" | tail -n 1 | tr -d '\r')"
  cmp -s "$2" "$3/data/image.iso" || { say "  the mounted disc changed"; return 1; }
}
