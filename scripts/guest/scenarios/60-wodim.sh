# cdrecord's Debian fork: wodim writes a data track track-at-once to a blank CD-R.
# Only against discburn serve (tgt has no CD-R).
SCENARIO_DESC="wodim dev=/dev/sr0 -tao -data image.iso on a blank CD-R"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

burns_shared_iso wodim wodim-tao "wodim -v dev=/dev/sr0 -tao -data /data/image.iso"
