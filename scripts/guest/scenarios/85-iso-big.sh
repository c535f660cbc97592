# Files over 4 GiB on a real kernel: discburn masters a folder holding a sparse file of
# 4 GiB − 2 KiB + 1234 bytes on the host and burns it to a virtual BD-R — as the ISO
# 9660 + UDF 2.50 bridge, the default for a BD and for such a file: two ISO 9660
# extents (multi-extent, Level 3) and UDF allocation descriptors over the same data.
# The guest's isofs driver mounts the disc through discburn serve three ways — Rock
# Ridge, Joliet (norock) and plain ISO 9660 (norock,nojoliet) — and its udf driver
# once more; each must see the whole size and the right bytes on both sides of the
# extent seam and at the end.
SCENARIO_DESC="ISO 9660 + UDF bridge with a 4 GiB + file: kernel isofs (Rock Ridge, Joliet, ISO 9660) and udf"
# serve only: the disc is discburn's own host burn onto a virtual BD-R (its state file
# kept), which tgt (one blank DVD+R model) cannot take over.
SCENARIO_DRIVES=serve
SCENARIO_MEDIA=bd-r

# One ISO 9660 extent holds at most 4 GiB − 2 KiB.
BIG_EXTENT=4294965248
BIG_SIZE=$((BIG_EXTENT + 1234))

scenario_prepare() { # payload root
  HOST_DISCBURN=$(build_static discburn-cli --bin discburn) || return 1
  printf 'the first bytes of the big file' >"$1/data/head.bin"
  # 32 bytes before the seam, 32 after it.
  { printf 'B%.0s' $(seq 32); printf 'A%.0s' $(seq 32); } >"$1/data/seam.bin"
  printf 'and the last bytes of the file' >"$1/data/tail.bin"
}

# Writes file $3 into $1 at byte $2 without truncating it.
put_at() { dd if="$3" of="$1" bs=1 seek="$2" conv=notrunc status=none; }

scenario_disc() { # backing file
  local folder=$work/big
  mkdir -p "$folder"
  echo "a small file beside the big one" >"$folder/small.txt"
  truncate -s "$BIG_SIZE" "$folder/big.bin"
  put_at "$folder/big.bin" 0 "$payload/data/head.bin"
  put_at "$folder/big.bin" $((BIG_EXTENT - 32)) "$payload/data/seam.bin"
  put_at "$folder/big.bin" $((BIG_SIZE - $(stat -c %s "$payload/data/tail.bin"))) "$payload/data/tail.bin"
  "$HOST_DISCBURN" --plain --drive "virtual:$1?media=bd-r&throttle=off" write "$folder" \
    --volume-id BIGFILES >"$work/host-burn.log" 2>&1 || {
    say "  the host burn failed:"
    sed 's/^/  | /' "$work/host-burn.log"
    return 1
  }
  say "  host: $(grep -a '^Burned' "$work/host-burn.log" | head -n 1)"
  grep -aq 'Rock Ridge + UDF 2.50 (bridge)' "$work/host-burn.log" || {
    say "  the host burn did not choose the ISO 9660 + UDF bridge:"
    sed 's/^/  | /' "$work/host-burn.log"
    return 1
  }
}

scenario_guest() {
  cat <<GUEST
mkdir -p /mnt
for opts in ro ro,norock ro,norock,nojoliet udf; do
  if [ "\$opts" = udf ]; then
    mount -t udf -o ro /dev/sr0 /mnt || { fail "mount -t udf"; exit 1; }
  else
    mount -t iso9660 -o \$opts /dev/sr0 /mnt || { fail "mount -o \$opts"; exit 1; }
  fi
  size=\$(stat -c %s /mnt/big.bin)
  echo "BIGISO: \$opts size=\$size"
  [ "\$size" = "$BIG_SIZE" ] || { fail "-o \$opts: big.bin is \$size bytes"; exit 1; }
  head -c \$(stat -c %s /data/head.bin) /mnt/big.bin | cmp - /data/head.bin || { fail "-o \$opts: head"; exit 1; }
  dd if=/mnt/big.bin bs=32 skip=$(((BIG_EXTENT - 32) / 32)) count=2 2>/dev/null | cmp - /data/seam.bin ||
    { fail "-o \$opts: bytes across the extent seam"; exit 1; }
  tail_len=\$(stat -c %s /data/tail.bin)
  dd if=/mnt/big.bin bs=1 skip=\$(($BIG_SIZE - tail_len)) 2>/dev/null | cmp - /data/tail.bin ||
    { fail "-o \$opts: tail"; exit 1; }
  grep -q "beside the big one" /mnt/small.txt || { fail "-o \$opts: small.txt"; exit 1; }
  umount /mnt
done
pass
GUEST
}

scenario_check() { # console log, disc backing file, payload root
  local n
  n=$(grep -ac "^BIGISO: .* size=$BIG_SIZE" "$1")
  [ "$n" -eq 4 ] || { say "  expected the big file's size under 4 mounts, saw $n"; return 1; }
  grep -aq '^BIGISO: udf size=' "$1" || { say "  no UDF mount"; return 1; }
  say "  kernel: big.bin $BIG_SIZE bytes under Rock Ridge, Joliet, ISO 9660 and UDF"
}
