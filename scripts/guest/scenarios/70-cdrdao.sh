# cdrdao writes a data toc (one MODE1 track from the image) disc-at-once to a blank CD-R
# with its generic-mmc driver. Only against discburn serve (tgt has no CD-R).
SCENARIO_DESC="cdrdao write --driver generic-mmc data.toc on a blank CD-R"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

scenario_prepare() { # payload root
  prepare_burner "$1" cdrdao
  printf 'CD_ROM\n\nTRACK MODE1\nDATAFILE "/data/image.iso"\n' >"$1/data/data.toc"
}

scenario_guest() {
  cat <<'GUEST'
timed cdrdao cdrdao write --device /dev/sr0 --driver generic-mmc -n /data/data.toc || { fail "cdrdao exit $?"; exit 1; }
pass
GUEST
}

scenario_check() { holds_shared_iso "$@"; }
