# Reference burner: growisofs (dvd+rw-tools) writes the shared ISO (lib.sh shared_iso,
# 4 MiB by default; the image discburn and xorriso burn too) to the blank DVD+R.
SCENARIO_DESC="growisofs -Z /dev/sr0=image.iso on a blank DVD+R"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v growisofs)"
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
timed growisofs growisofs -Z /dev/sr0=/data/image.iso || { fail "growisofs exit $?"; exit 1; }
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  disc_holds "$2" "$3/data/image.iso"
}
