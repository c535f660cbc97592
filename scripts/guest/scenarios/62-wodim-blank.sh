# wodim on CD-RW: write a data track, blank=fast, write another image: the disc then holds
# the second one. Only against discburn serve (tgt has no CD-RW).
SCENARIO_DESC="wodim -tao on CD-RW, blank=fast, -tao again"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-rw

scenario_prepare() { # payload root
  prepare_burner "$1" wodim
  make_iso "$1/data/first.iso" 512
}

scenario_guest() {
  cat <<'GUEST'
timed wodim-tao-1 wodim -v dev=/dev/sr0 -tao -data /data/first.iso || { fail "wodim first write exit $?"; exit 1; }
timed wodim-blank wodim -v dev=/dev/sr0 blank=fast || { fail "wodim blank=fast exit $?"; exit 1; }
timed wodim-tao-2 wodim -v dev=/dev/sr0 -tao -data /data/image.iso || { fail "wodim second write exit $?"; exit 1; }
pass
GUEST
}

scenario_check() { holds_shared_iso "$@"; }
