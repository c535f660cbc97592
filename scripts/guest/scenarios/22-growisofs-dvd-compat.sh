# growisofs -dvd-compat: the disc is closed for the best DVD-ROM compatibility (on DVD+R
# growisofs closes the session and finalizes the disc).
SCENARIO_DESC="growisofs -dvd-compat -Z /dev/sr0=image.iso on a blank DVD+R"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v growisofs)"
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
timed growisofs-dvd-compat growisofs -dvd-compat -Z /dev/sr0=/data/image.iso || { fail "growisofs exit $?"; exit 1; }
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  disc_holds "$2" "$3/data/image.iso"
}
