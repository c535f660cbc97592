# CD-Text by discburn, read by libcdio: `discburn write --audio --sao --title --performer`
# writes two WAV tracks disc-at-once with CD-Text in the lead-in through /dev/sr0; cd-info
# (READ TOC format 5, decoded by libcdio) shows the album's and each track's title and
# performer, and cdparanoia rips the tracks byte for byte.
SCENARIO_DESC="discburn write --audio --sao with CD-Text; cd-info reads it; cdparanoia rips"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

scenario_prepare() { # payload root
  prepare_audio_payload "$1" discburn
}

scenario_guest() {
  guest_audio_after discburn 'discburn --drive /dev/sr0 --plain write --audio --sao --title "Harbour Lights" --performer "Ensemble Nord" /data/t1.wav /data/t2.wav'
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0
  cdinfo_shows "$log" "TITLE: Harbour Lights" "PERFORMER: Ensemble Nord" "TITLE: t1" "TITLE: t2" || ok=1
  [ "$ok" -eq 0 ] && say "  cd-info read the CD-Text discburn wrote: album and both tracks"
  ripped_same "$log" "$3" || ok=1
  return $ok
}
