# CD-Text by discburn, read by libcdio: `discburn write --audio --sao --title --performer`
# writes two WAV tracks disc-at-once with CD-Text in the lead-in through /dev/sr0; cd-info
# (READ TOC format 5, decoded by libcdio) shows the album's and each track's title and
# performer, and cdparanoia rips the tracks byte for byte.
SCENARIO_DESC="discburn write --audio --sao with CD-Text; cd-info reads it; cdparanoia rips"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

scenario_prepare() { # payload root
  local bin
  bin=$(build_static discburn-cli --bin discburn) || return 1
  strip -o "$1/usr/bin/discburn" "$bin"
  guest_add_audio_readers "$1"
  make_wavs "$1"
}

scenario_guest() {
  cat <<'GUEST'
timed discburn discburn --drive /dev/sr0 --plain write --audio --sao --title "Harbour Lights" --performer "Ensemble Nord" /data/t1.wav /data/t2.wav || { fail "discburn exit $?"; exit 1; }
cd-info --no-cddb --no-device-info /dev/sr0 2>&1 | sed 's/^/CDINFO| /'
GUEST
  guest_rip_tracks
  echo pass
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0 s
  for s in "TITLE: Harbour Lights" "PERFORMER: Ensemble Nord" "TITLE: t1" "TITLE: t2"; do
    grep -aq "^CDINFO| .*$s" "$log" || { say "  cd-info did not show the CD-Text \"$s\""; ok=1; }
  done
  [ "$ok" -eq 0 ] && say "  cd-info read the CD-Text discburn wrote: album and both tracks"
  ripped_same "$log" "$3" || ok=1
  return $ok
}
