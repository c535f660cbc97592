# xorriso's cdrecord emulation in session-at-once mode (libburn: RESERVE TRACK for the
# image's size, then one WRITE stream). Only against discburn serve: tgt answers RESERVE
# TRACK with 05/20/00 (scripts/guest/README.md).
SCENARIO_DESC="xorriso -as cdrecord dev=/dev/sr0 -sao image.iso on a blank disc"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd-r dvd+r bd-r"

burns_shared_iso xorriso xorriso-cdrecord-sao "xorriso -as cdrecord -v dev=/dev/sr0 -sao /data/image.iso"
