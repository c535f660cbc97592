# cdrecord's Debian fork: wodim writes a data track track-at-once to a blank CD-R.
# Only against discburn serve (tgt has no CD-R).
SCENARIO_DESC="wodim dev=/dev/sr0 -tao -data image.iso on a blank CD-R"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v wodim)"
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
timed wodim-tao wodim -v dev=/dev/sr0 -tao -data /data/image.iso || { fail "wodim exit $?"; exit 1; }
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  disc_holds "$2" "$3/data/image.iso"
}
