# wodim on CD-RW: write a data track, blank=fast, write another image: the disc then holds
# the second one. Only against discburn serve (tgt has no CD-RW).
SCENARIO_DESC="wodim -tao on CD-RW, blank=fast, -tao again"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-rw

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v wodim)"
  make_iso "$1/data/first.iso" 512
  shared_iso "$1/data/image.iso"
}

scenario_guest() {
  cat <<'GUEST'
timed wodim-tao-1 wodim -v dev=/dev/sr0 -tao -data /data/first.iso || { fail "wodim first write exit $?"; exit 1; }
timed wodim-blank wodim -v dev=/dev/sr0 blank=fast || { fail "wodim blank=fast exit $?"; exit 1; }
timed wodim-tao-2 wodim -v dev=/dev/sr0 -tao -data /data/image.iso || { fail "wodim second write exit $?"; exit 1; }
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  disc_holds "$2" "$3/data/image.iso"
}
