# xorriso's cdrecord emulation in session-at-once mode (libburn: RESERVE TRACK for the
# image's size, then one WRITE stream). Only against discburn serve: tgt answers RESERVE
# TRACK with 05/20/00 (scripts/guest/README.md).
SCENARIO_DESC="xorriso -as cdrecord dev=/dev/sr0 -sao image.iso on a blank disc"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd-r dvd+r bd-r"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v xorriso)"
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
timed xorriso-cdrecord-sao xorriso -as cdrecord -v dev=/dev/sr0 -sao /data/image.iso || { fail "xorriso exit $?"; exit 1; }
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  disc_holds "$2" "$3/data/image.iso"
}
