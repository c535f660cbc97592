# discburn-sg's own SgTransport in the guest, through both nodes: /dev/sg0 (queries only)
# then /dev/sr0 (write a 1 MiB pattern at LBA 0, SYNCHRONIZE CACHE, CLOSE SESSION, read
# back). The host then finds the pattern in the drive's backing file.
SCENARIO_DESC="sg_probe: discovery, INQUIRY, TUR, GET CONFIGURATION, READ CAPACITY, WRITE(10), SYNCHRONIZE CACHE, CLOSE SESSION, READ(10) back"

scenario_prepare() { # payload root
  local bin
  bin=$(build_static discburn-sg --example sg_probe) || return 1
  strip -o "$1/usr/bin/sg_probe" "$bin"
  head -c 1M /dev/urandom >"$1/data/pattern.bin"
}

scenario_guest() {
  cat <<'GUEST'
sg_probe /dev/sg0 || { fail "sg_probe /dev/sg0"; exit 1; }
timed sg_probe-write-1MiB sg_probe /dev/sr0 --write /data/pattern.bin || { fail "sg_probe /dev/sr0 --write"; exit 1; }
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0
  grep -aq '^PROBE: drive /dev/sr0 sg=/dev/sg0 ' "$log" || { say "  discovery did not list /dev/sr0 with /dev/sg0"; ok=1; }
  grep -aq '^PROBE: exclusive refused-second-open' "$log" || { say "  a second exclusive open was not refused"; ok=1; }
  grep -aq '^PROBE: get-configuration profile=001B ' "$log" || { say "  GET CONFIGURATION did not report DVD+R (001Bh)"; ok=1; }
  grep -aq '^PROBE: read-back identical' "$log" || { say "  read-back through READ(10) did not match"; ok=1; }
  say "  $(grep -a '^PROBE: open ' "$log" | head -n 1 | tr -d '\r')"
  say "  $(grep -a '^PROBE: write10 ' "$log" | tail -n 1 | tr -d '\r')"
  disc_holds "$2" "$3/data/pattern.bin" || ok=1
  return $ok
}
