# growisofs -dvd-compat: the disc is closed for the best DVD-ROM compatibility (on DVD+R
# growisofs closes the session and finalizes the disc).
SCENARIO_DESC="growisofs -dvd-compat -Z /dev/sr0=image.iso on a blank DVD+R"

burns_shared_iso growisofs growisofs-dvd-compat "growisofs -dvd-compat -Z /dev/sr0=/data/image.iso"
