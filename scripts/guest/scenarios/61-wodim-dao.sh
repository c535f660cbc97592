# wodim disc-at-once (SAO: a cue sheet, then one stream) of a data track to a blank CD-R.
# Only against discburn serve (tgt has no CD-R).
SCENARIO_DESC="wodim dev=/dev/sr0 -dao -data image.iso on a blank CD-R"
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=cd-r

burns_shared_iso wodim wodim-dao "wodim -v dev=/dev/sr0 -dao -data /data/image.iso"
