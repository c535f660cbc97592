# Reference burner: xorriso's cdrecord emulation (libburn), track-at-once, the shared ISO
# (lib.sh shared_iso: the image growisofs and discburn burn too); then the guest's kernel
# mounts the disc. libburn pads the track with 300 KiB of zeros; disc_holds accepts zero
# padding.
SCENARIO_DESC="xorriso -as cdrecord dev=/dev/sr0 -tao image.iso on a blank disc, then mount"
SCENARIO_MEDIA="dvd+r dvd-r bd-r dvd+r-dl bd-r-dl dvd-rw"

scenario_prepare() { prepare_burner "$1" xorriso; }

scenario_guest() {
  cat <<'GUEST'
timed xorriso-cdrecord-tao xorriso -as cdrecord -v dev=/dev/sr0 -tao /data/image.iso || { fail "xorriso exit $?"; exit 1; }
mount_disc
pass
GUEST
}

scenario_check() { mounted_shared_iso "$@"; }
