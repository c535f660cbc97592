# UDF alone on a real kernel: discburn masters a folder (a deep tree, Unicode names, an
# empty file, a few MiB of data) as UDF on the host — UDF 1.02 on the DVD+R, 2.01 on the
# CD-RW, 2.50 (metadata partition and mirror) on the BD-RE, 2.60 on the BD-R — and burns
# it to the virtual drive; the guest's udf driver mounts the disc through discburn serve
# and every file's checksum must match the folder's.
SCENARIO_DESC="UDF 1.02 (DVD+R), 2.01 (CD-RW), 2.50 (BD-RE), 2.60 (BD-R) folder burns mounted by the kernel's udf driver, files compared by checksum"
# serve only: the disc is discburn's own host burn (its state file kept), which tgt (one
# blank DVD+R model) cannot take over.
SCENARIO_DRIVES=serve
SCENARIO_MEDIA="dvd+r cd-rw bd-re bd-r"

scenario_prepare() { # payload root
  HOST_DISCBURN=$(build_static discburn-cli --bin discburn) || return 1
  UDF_FOLDER=$work/udf-src
  local d=$UDF_FOLDER/deep/er/and/deeper/still/nine/levels/down/here
  mkdir -p "$d"
  echo "at the bottom" >"$d/bottom.txt"
  echo "unicode name" >"$UDF_FOLDER/Überraschung ✓ ümlaut.txt"
  echo "日本語のファイル" >"$UDF_FOLDER/日本語.txt"
  : >"$UDF_FOLDER/empty"
  head -c 5000000 /dev/urandom >"$UDF_FOLDER/random.bin"
  (cd "$UDF_FOLDER" && find . -type f -print0 | sort -z | xargs -0 md5sum) >"$1/data/sums"
}

scenario_disc() { # backing file
  local rev
  case $MEDIUM in
    dvd+r) rev=1.02 ;;
    cd-rw) rev=2.01 ;;
    bd-re) rev=2.50 ;;
    *) rev=2.60 ;;
  esac
  UDF_REV=$rev
  "$HOST_DISCBURN" --plain --drive "virtual:$1?media=$MEDIUM&throttle=off" write "$UDF_FOLDER" \
    --fs udf --udf-revision "$rev" --volume-id UDFDISC --verify >"$work/host-burn.log" 2>&1 || {
    say "  the host burn failed:"
    sed 's/^/  | /' "$work/host-burn.log"
    return 1
  }
  grep -aq "as UDF $rev," "$work/host-burn.log" || {
    say "  the host burn was not UDF $rev:"
    sed 's/^/  | /' "$work/host-burn.log"
    return 1
  }
  say "  host: $(grep -a '^Burned' "$work/host-burn.log" | head -n 1)"
}

scenario_guest() {
  cat <<'GUEST'
mkdir -p /mnt
mount -t udf -o ro /dev/sr0 /mnt || { fail "mount -t udf"; exit 1; }
cd /mnt || { fail "cd /mnt"; exit 1; }
md5sum -c /data/sums >/tmp/sums.out 2>&1
rc=$?
sed 's/^/udf-sums| /' /tmp/sums.out
[ "$rc" -eq 0 ] || { fail "checksums of the mounted UDF disc"; exit 1; }
echo "UDF-FILES: $(find . -type f | wc -l)"
cd /
umount /mnt
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local want got
  want=$(wc -l <"$3/data/sums")
  got=$(grep -a '^UDF-FILES: ' "$1" | tr -d '\r' | sed 's/^UDF-FILES: //')
  [ "$got" = "$want" ] || { say "  the mounted disc has ${got:-no} files, the folder $want"; return 1; }
  say "  kernel udf: $got files, every checksum matches (UDF $UDF_REV)"
}
