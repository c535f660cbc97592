# CD-Text through the virtual recorder: cdrdao writes two audio tracks disc-at-once with
# CD-TEXT (the lead-in's R-W sub-channel; driver option 0x10 turns CD-TEXT writing
# on), then cd-info (libcdio, READ TOC format 5)
# shows the album's and each track's title and performer, and cdparanoia rips the tracks.
SCENARIO_DESC="cdrdao write a CD-TEXT toc; cd-info reads the CD-Text back; cdparanoia rips"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

scenario_prepare() { # payload root
  prepare_audio_payload "$1" cdrdao || return 1
  # The same disc as 84-cue.sh's cue sheet describes: that scenario compares what
  # cd-info reads of both.
  cat >"$1/data/album.toc" <<'TOC'
CD_DA
CATALOG "4006381333931"
CD_TEXT {
  LANGUAGE_MAP { 0 : EN }
  LANGUAGE 0 { TITLE "Sheet Music" PERFORMER "Cue Players" }
}
TRACK AUDIO
ISRC "DEA011500001"
CD_TEXT { LANGUAGE 0 { TITLE "Overture" PERFORMER "Cue Players" } }
FILE "/data/t1.wav" 0
TRACK AUDIO
CD_TEXT { LANGUAGE 0 { TITLE "Coda" PERFORMER "Cue Players" } }
PREGAP 00:02:00
FILE "/data/t2.wav" 0
TOC
}

scenario_guest() {
  guest_audio_after cdrdao "cdrdao write --device /dev/sr0 --driver generic-mmc:0x10 -n /data/album.toc"
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0
  cdinfo_shows "$log" "TITLE: Sheet Music" "PERFORMER: Cue Players" "TITLE: Overture" "TITLE: Coda" || ok=1
  [ "$ok" -eq 0 ] && say "  cd-info read the album's and both tracks' CD-Text"
  ripped_same "$log" "$3" || ok=1
  return $ok
}
