# Reference burner: xorriso's cdrecord emulation (libburn), track-at-once, the shared ISO
# (lib.sh shared_iso: the image growisofs and discburn burn too); then the guest's kernel
# mounts the disc. libburn pads the track with 300 KiB of zeros; disc_holds accepts zero
# padding.
SCENARIO_DESC="xorriso -as cdrecord dev=/dev/sr0 -tao image.iso on a blank disc, then mount"
SCENARIO_MEDIA="dvd+r dvd-r bd-r"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v xorriso)"
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
timed xorriso-cdrecord-tao xorriso -as cdrecord -v dev=/dev/sr0 -tao /data/image.iso || { fail "xorriso exit $?"; exit 1; }
mount_disc
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  grep -aq '^MOUNTED: .*a.bin' "$1" || { say "  the guest did not mount the disc with its files"; return 1; }
  disc_holds "$2" "$3/data/image.iso"
}
