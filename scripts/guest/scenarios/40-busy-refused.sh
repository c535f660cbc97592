# Exclusive access on a real kernel: while the disc is mounted, SgTransport::open must be
# refused with OpenError::Busy through /dev/sr0 and through /dev/sg0 (whose block sibling
# it claims), a shared open must still work, and after umount the exclusive open succeeds.
SCENARIO_DESC="mounted disc: exclusive open of /dev/sr0 and /dev/sg0 refused as busy, allowed after umount"

scenario_prepare() { # payload root
  local bin
  bin=$(build_static discburn-sg --example sg_probe) || return 1
  strip -o "$1/usr/bin/sg_probe" "$bin"
  make_iso "$1/data/image.iso" 512
}

# A non-empty backing file is a written DVD-ROM in tgt: the ISO we mount.
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
}
