# An audio CD by discburn, ripped by cdparanoia: `discburn write --audio` writes two WAV
# tracks Track-At-Once to a blank CD-R through /dev/sr0, then cdparanoia (READ CD through
# the sg driver) rips both; each rip holds its WAV's samples byte for byte.
SCENARIO_DESC="discburn write --audio t1.wav t2.wav, then cdparanoia -B rips them"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

scenario_prepare() { # payload root
  prepare_audio_payload "$1" discburn
}

scenario_guest() {
  cat <<'GUEST'
timed discburn discburn --drive /dev/sr0 --plain write --audio /data/t1.wav /data/t2.wav || { fail "discburn exit $?"; exit 1; }
discburn --drive /dev/sr0 info 2>&1 | sed 's/^/INFO| /'
GUEST
  guest_rip_tracks
  echo pass
}

scenario_check() { # console log, disc backing file, payload root
  grep -aq '^TOC| .* 2\. ' "$1" || { say "  cdparanoia did not list two tracks"; return 1; }
  grep -aq '^INFO| .*audio' "$1" || { say "  discburn info did not show audio tracks"; return 1; }
  ripped_same "$1" "$3"
}
