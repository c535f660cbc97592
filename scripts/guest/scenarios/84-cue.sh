# A cue sheet by discburn: `discburn write album.cue` (two WAVE files, CD-Text, CATALOG,
# an ISRC, a PREGAP on track 2) disc-at-once through /dev/sr0; cd-info reads the CD-Text
# and the catalog number, and cdparanoia rips both tracks byte for byte.
SCENARIO_DESC="discburn write album.cue (WAVE files, CD-Text, PREGAP); cd-info; cdparanoia rips"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r
# It compares with 82-cdrdao-cdtext's console log: that run must have ended.
SCENARIO_AFTER=82-cdrdao-cdtext

scenario_prepare() { # payload root
  prepare_audio_payload "$1" discburn || return 1
  cat >"$1/data/album.cue" <<'CUE'
REM written by the discburn guest harness
CATALOG 4006381333931
PERFORMER "Cue Players"
TITLE "Sheet Music"
FILE "t1.wav" WAVE
  TRACK 01 AUDIO
    TITLE "Overture"
    PERFORMER "Cue Players"
    ISRC DEA011500001
    INDEX 01 00:00:00
FILE "t2.wav" WAVE
  TRACK 02 AUDIO
    TITLE "Coda"
    PERFORMER "Cue Players"
    PREGAP 00:02:00
    INDEX 01 00:00:00
CUE
}

scenario_guest() {
  guest_audio_after discburn "discburn --drive /dev/sr0 --plain write /data/album.cue"
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0
  cdinfo_shows "$log" "TITLE: Sheet Music" "PERFORMER: Cue Players" "TITLE: Overture" "TITLE: Coda" || ok=1
  grep -aq '^CDINFO| Media Catalog Number (MCN): 4006381333931' "$log" ||
    { say "  cd-info did not read the catalog number (READ SUB-CHANNEL)"; ok=1; }
  # Track 2 starts after track 1 and the 2-second PREGAP: 450 + 150.
  grep -aqE '^CDINFO\| +2: 00:10:00 +000600 audio' "$log" || { say "  track 2 is not at LBA 600 (00:10:00)"; ok=1; }
  [ "$ok" -eq 0 ] && say "  cd-info read the cue sheet's CD-Text and catalog number and found track 2 after its PREGAP"
  ripped_same "$log" "$3" || ok=1
  # cdrdao burned the same disc from a .toc in 82-cdrdao-cdtext: cd-info must read the
  # same TOC (track starts, types, MSF), catalog number and CD-Text from both.
  local other="$LOGS/82-cdrdao-cdtext@serve-cd-r.log"
  if [ -f "$other" ] && [ "$other" -nt "$RUN_STAMP" ]; then
    if diff <(cdinfo_summary "$other") <(cdinfo_summary "$log") >"$RUN_DIR/cdinfo.diff"; then
      say "  cd-info reads the same TOC, catalog number and CD-Text from cdrdao's burn of the same disc ($(cdinfo_summary "$log" | wc -l) lines)"
    else
      say "  cd-info reads cdrdao's burn and discburn's differently (< cdrdao, > discburn):"
      sed 's/^/guest:     /' "$RUN_DIR/cdinfo.diff"
      ok=1
    fi
  else
    say "  not compared with cdrdao's burn: 82-cdrdao-cdtext did not run in this harness run"
  fi
  return $ok
}

