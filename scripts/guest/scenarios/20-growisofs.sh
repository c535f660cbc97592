# Reference burner: growisofs (dvd+rw-tools) writes the shared ISO (lib.sh shared_iso,
# 4 MiB by default; the image discburn and xorriso burn too) to a blank disc; the guest's
# kernel then mounts it (isofs) and lists it.
SCENARIO_DESC="growisofs -Z /dev/sr0=image.iso on a blank disc, then mount -t iso9660"
SCENARIO_MEDIA="dvd+r dvd+rw bd-r bd-re bd-r-dl dvd-rw"

scenario_prepare() { prepare_burner "$1" growisofs; }

scenario_guest() {
  cat <<'GUEST'
timed growisofs growisofs -Z /dev/sr0=/data/image.iso || { fail "growisofs exit $?"; exit 1; }
mount_disc
cmp /mnt/README.TXT - <<EOT || { fail "README.TXT on the mounted disc"; exit 1; }
discburn guest harness
EOT
pass
GUEST
}

scenario_check() { mounted_shared_iso "$@"; }
