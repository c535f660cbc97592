# An audio CD by wodim, ripped by cdparanoia: `wodim -tao -audio` writes two WAV tracks
# to a blank CD-R on the virtual recorder; cdparanoia rips them back.
SCENARIO_DESC="wodim -tao -audio t1.wav t2.wav, then cdparanoia -B rips them"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

scenario_prepare() { # payload root
  prepare_audio_payload "$1" wodim
}

scenario_guest() {
  cat <<'GUEST'
timed wodim wodim -v dev=/dev/sr0 -tao -pad -audio /data/t1.wav /data/t2.wav || { fail "wodim exit $?"; exit 1; }
GUEST
  guest_rip_tracks
  echo pass
}

scenario_check() { # console log, disc backing file, payload root
  grep -aq '^TOC| .* 2\. ' "$1" || { say "  cdparanoia did not list two tracks"; return 1; }
  ripped_same "$1" "$3"
}
