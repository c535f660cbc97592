# Reference burner: xorriso's cdrecord emulation (libburn), track-at-once, the shared ISO
# (lib.sh shared_iso: the image growisofs and discburn burn too).
# libburn pads the track with 300 KiB of zeros; disc_holds accepts zero padding.
SCENARIO_DESC="xorriso -as cdrecord dev=/dev/sr0 -tao image.iso on a blank DVD+R"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v xorriso)"
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
timed xorriso-cdrecord-tao xorriso -as cdrecord -v dev=/dev/sr0 -tao /data/image.iso || { fail "xorriso exit $?"; exit 1; }
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  disc_holds "$2" "$3/data/image.iso"
}
