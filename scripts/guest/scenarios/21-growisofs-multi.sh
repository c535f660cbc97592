# growisofs multi-session: -Z writes a first session from a folder (growisofs runs mkisofs,
# here genisoimage), the drive is re-read, -M appends a second session that imports the
# first (mkisofs -C/-M); the guest kernel mounts the result and finds both folders' files.
# Only against discburn serve: tgt's DVD+R reports profile 0010h (DVD-ROM) once closed,
# so growisofs -M refuses to append to it (scripts/guest/README.md).
SCENARIO_DESC="growisofs -Z folder1, -M folder2 (multi-session), mount: both folders byte for byte"
# On BD-R growisofs pre-formats the blank disc with spares as SRM+POW (FORMAT UNIT 32h,
# sub-type 00b), sees feature 0038h current, and grows the volume by pseudo-overwrite:
# -M appends the session and rewrites the volume descriptors at LBA 16 below the NWA. A
# BD-RE is formatted with spares and grown like a DVD+RW.
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd+r dvd+rw bd-r bd-re"

scenario_prepare() { # payload root
  guest_add_bin "$1" "$(command -v growisofs)"
  guest_add_mkisofs "$1"
  make_session_trees "$1"
}

scenario_guest() {
  cat <<'GUEST'
timed growisofs-Z growisofs -Z /dev/sr0 -R -J /data/s1 || { fail "growisofs -Z exit $?"; exit 1; }
replug_drive || { fail "drive gone after -Z"; exit 1; }
timed growisofs-M growisofs -M /dev/sr0 -R -J /data/s2 || { fail "growisofs -M exit $?"; exit 1; }
mount_same /data/s1 /data/s2
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  mounted_same "$1" 10
}
