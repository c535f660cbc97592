# Media identity (issue 15): third-party readers name the manufacturer code the virtual
# recorder carries for the disc. On CD-R/RW wodim -atip (READ TOC/PMA/ATIP format 4:
# "ATIP start of lead in" and cdrecord's manufacturer table); on DVD and BD
# dvd+rw-mediainfo (READ DISC STRUCTURE FFh, then 0Eh / 11h / BD 00h: "Media ID:"); on
# every medium xorriso -toc (libburn's burn_disc_get_media_id: "Media product:"). Three
# media carry a non-default `mid=`. Only against discburn serve (tgt has no media ID).
SCENARIO_DESC="wodim -atip, dvd+rw-mediainfo, xorriso -toc read the disc's manufacturer code"
SCENARIO_DRIVES=serve
# One medium per structure (ATIP, pre-pit, ADIP, BD DI), three with a set mid=, to keep
# the CI run short; cd-r, dvd+rw and bd-re (their default codes) passed too when listed
# here (2026-12-03: 7 of 7).
SCENARIO_MEDIA="cd-rw dvd-r dvd+r bd-r"

scenario_serve_query() { # medium
  case $1 in
    cd-rw) printf '%s' '&mid=97:34:24' ;;    # Mitsubishi Chemical
    dvd-r) printf '%s' '&mid=RITEKG05' ;;
    bd-r) printf '%s' '&mid=MILLEN-MR1-000' ;; # M-DISC
  esac
}

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v xorriso)"
  guest_add_bin "$1" "$(command -v wodim)"
  guest_add_bin "$1" "$(command -v dvd+rw-mediainfo)"
}

scenario_guest() {
  cat <<'GUEST'
ok=0
case $MEDIUM in
  cd-*)
    timed wodim-atip wodim -atip dev=/dev/sr0 >/tmp/wodim.out 2>&1 || { echo "wodim -atip exit $?"; ok=1; }
    sed 's/^/WODIM| /' /tmp/wodim.out
    ;;
  *)
    timed dvd-rw-mediainfo dvd+rw-mediainfo /dev/sr0 >/tmp/mi.out 2>&1 || { echo "dvd+rw-mediainfo exit $?"; ok=1; }
    sed 's/^/MEDIAINFO| /' /tmp/mi.out
    ;;
esac
timed xorriso-toc xorriso -outdev /dev/sr0 -toc >/tmp/x.out 2>&1 || { echo "xorriso -toc exit $?"; ok=1; }
sed 's/^/XORRISO| /' /tmp/x.out
[ "$ok" -eq 0 ] && pass || fail "a reader failed"
GUEST
}

# What each reader must print for the disc's code.
expect_lines() { # medium → lines of "PREFIX|extended regex"
  case $1 in
    cd-r) printf '%s\n' 'WODIM|ATIP start of lead in: +-11849 \(97:24/01\)' \
      'WODIM|Manufacturer: Taiyo Yuden' 'XORRISO|Media product: 97m24s01f/79m59s74f , Taiyo Yuden' ;;
    cd-rw) printf '%s\n' 'WODIM|ATIP start of lead in: +-11076 \(97:34/24\)' \
      'WODIM|Disk type: +Phase change' 'WODIM|Manufacturer: Mitsubishi Chemical' \
      'WODIM|speed low: +4 .*speed high: +24' \
      'XORRISO|Media product: 97m34s24f/79m59s74f , Mitsubishi Chemical' ;;
    dvd-r) printf '%s\n' 'MEDIAINFO|Media ID: +RITEKG05' 'XORRISO|Media product: RITEKG05 , Ritek' ;;
    dvd+r) printf '%s\n' 'MEDIAINFO|Media ID: +MCC/004' 'XORRISO|Media product: MCC/004' ;;
    dvd+rw) printf '%s\n' 'MEDIAINFO|Media ID: +RICOHJPN/W11' 'XORRISO|Media product: RICOHJPN/W11' ;;
    bd-r) printf '%s\n' 'MEDIAINFO|Media ID: +MILLEN/MR1' 'XORRISO|Media product: MILLEN/MR1' ;;
    bd-re) printf '%s\n' 'MEDIAINFO|Media ID: +MEI/T01' 'XORRISO|Media product: MEI/T01' ;;
  esac
}

scenario_check() { # console log, disc backing file, payload root
  local log=$1 ok=0 want prefix re line
  while IFS= read -r want; do
    prefix=${want%%|*}
    re=${want#*|}
    line=$(grep -a "^$prefix| " "$log" | tr -d '\r' | sed "s/^$prefix| //" | grep -E -m1 "$re" || true)
    if [ -n "$line" ]; then
      say "  $prefix: $line"
    else
      say "  $prefix printed no line matching /$re/"
      ok=1
    fi
  done < <(expect_lines "$MEDIUM")
  return "$ok"
}
