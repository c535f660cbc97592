# shellcheck shell=bash
# Host-side helpers of the guest harness, sourced by run-all. See README.md here.
#
# Layout of what this builds (all under target/, reused across runs):
#   target/guest-cache/kernel/<version>/{vmlinuz,modules/*.ko,VERSION}  unpacked Debian kernel
#   target/guest-cache/base-<hash>.cpio.gz    busybox + modules + /init + guest-lib.sh
#   target/guest-logs/<scenario>@<drive>-<medium>.log  each run's guest console

GUEST_DIR=${GUEST_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
REPO=${REPO:-$(cd "$GUEST_DIR/../.." && pwd)}
CACHE=${GUEST_CACHE:-$REPO/target/guest-cache}
LOGS=$REPO/target/guest-logs
RUST_TARGET=x86_64-unknown-linux-gnu
# Kernel modules the guest loads, in dependency order (virtio-scsi HBA, then sr and sg).
# isofs lets scenarios mount a written disc (the exclusive-open checks need a mount); udf
# (with crc-itu-t, its CRC) mounts the UDF volumes of folder burns.
GUEST_MODULES=(scsi_common scsi_mod virtio_ring virtio virtio_pci_legacy_dev
  virtio_pci_modern_dev virtio_pci virtio_scsi cdrom sr_mod sg isofs crc-itu-t udf)
QEMU_TIMEOUT=${QEMU_TIMEOUT:-300}

say() { printf 'guest: %s\n' "$*"; }
# Stops the harness with an install message (on stderr: it may run inside $(...)).
die_install() { # what, how
  {
    say "CANNOT INSTALL $1: $2"
    say "install it by hand (as root) and rerun; see scripts/guest/README.md"
  } >&2
  exit 1
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

# --- installing what the harness needs (Debian packages) ------------------------------

APT_UPDATED=0
apt_update_once() {
  [ "$APT_UPDATED" -eq 1 ] && return 0
  as_root apt-get update -qq || die_install "package lists" "apt-get update failed"
  APT_UPDATED=1
}

apt_install() { # [-t RELEASE] packages (name or name=version) ...
  apt_update_once
  say "installing Debian packages: $*"
  if ! DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" \
    >"$CACHE/apt-install.log" 2>&1; then
    tail -n 20 "$CACHE/apt-install.log" >&2
    die_install "$*" "apt-get install failed (log: $CACHE/apt-install.log)"
  fi
}

# qemu-system-x86 must match the installed qemu-utils, which on these machines comes from
# bookworm-backports. Installing it at that version is not enough: apt would still resolve
# its dependencies (qemu-system-common, qemu-system-data, seabios …) from bookworm and give
# up, so the install targets the release the version comes from (`-t bookworm-backports`),
# after adding that suite to the sources when it is missing. A machine with bookworm's
# qemu-utils, or none, gets bookworm's QEMU.
ensure_qemu() {
  if command -v qemu-system-x86_64 >/dev/null &&
    ls /usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so >/dev/null 2>&1; then
    return 0
  fi
  # The version to match: an installed qemu-system-x86 (whose qemu-block-extra is
  # missing), else qemu-utils.
  local utils_ver target=() p
  for p in qemu-system-x86 qemu-utils; do
    # dpkg-query fails for a package it never saw: not an error here (set -e, pipefail).
    utils_ver=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null |
      awk '$3 == "installed" { print $4 }' || true)
    [ -z "$utils_ver" ] || break
  done
  if [[ $utils_ver == *bpo12* ]]; then
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      say "adding bookworm-backports to apt sources ($p $utils_ver comes from there)"
      printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        as_root tee /etc/apt/sources.list.d/discburn-backports.sources >/dev/null
      APT_UPDATED=0
    fi
    target=(-t bookworm-backports)
  fi
  if [ -n "$utils_ver" ]; then
    apt_install "${target[@]}" "qemu-system-x86=$utils_ver" "qemu-block-extra=$utils_ver"
  else
    apt_install qemu-system-x86 qemu-block-extra
  fi
  command -v qemu-system-x86_64 >/dev/null || die_install qemu-system-x86 "qemu-system-x86_64 still missing"
  ls /usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so >/dev/null 2>&1 ||
    die_install qemu-block-extra "QEMU's iSCSI block driver (block-iscsi.so) still missing"
}

ensure_host_tools() {
  mkdir -p "$CACHE" "$LOGS"
  local pkgs=()
  command -v tgtd >/dev/null || pkgs+=(tgt)
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || pkgs+=(busybox-static)
  command -v cpio >/dev/null || pkgs+=(cpio)
  command -v growisofs >/dev/null || pkgs+=(growisofs)
  command -v xorriso >/dev/null || pkgs+=(xorriso)
  command -v xz >/dev/null || pkgs+=(xz-utils)
  command -v gzip >/dev/null || pkgs+=(gzip)
  command -v wodim >/dev/null || pkgs+=(wodim)
  command -v cdrdao >/dev/null || pkgs+=(cdrdao)
  command -v genisoimage >/dev/null || pkgs+=(genisoimage)
  command -v cdparanoia >/dev/null || pkgs+=(cdparanoia)
  command -v cd-info >/dev/null || pkgs+=(libcdio-utils)
  command -v dvd+rw-mediainfo >/dev/null || pkgs+=(dvd+rw-tools)
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
  for c in tgtd tgtadm cpio growisofs xorriso busybox wodim cdrdao genisoimage cdparanoia cd-info dvd+rw-mediainfo; do
    command -v "$c" >/dev/null || die_install "$c" "command $c missing after install"
  done
  ensure_qemu
}

# --- the guest kernel ----------------------------------------------------------------

# Prints the cached kernel directory, downloading and unpacking the Debian kernel first
# when the cache has none. The package is unpacked with dpkg-deb -x, never installed.
guest_kernel() {
  local dir
  dir=$(find "$CACHE/kernel" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort | tail -n 1)
  if [ -n "$dir" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/VERSION" ]; then
    local m complete=1
    for m in "${GUEST_MODULES[@]}"; do [ -f "$dir/modules/$m.ko" ] || complete=0; done
    if [ "$complete" -eq 1 ]; then
      echo "$dir"
      return 0
    fi
    rm -rf "$dir"
  fi
  apt_update_once >&2
  local pkg
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6/ { print $2; exit }')
  [ -n "$pkg" ] || pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
    awk '{ print $1 }' | sort -V | tail -n 1)
  [ -n "$pkg" ] || die_install "a Debian kernel" "no linux-image-6.1.0-*-amd64 package found by apt-cache"
  local tmp
  tmp=$(mktemp -d -p "$CACHE")
  say "downloading $pkg (unpacked only, not installed)" >&2
  (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
    die_install "$pkg" "apt-get download $pkg failed"
  dpkg-deb -x "$tmp"/*.deb "$tmp/x" || die_install "$pkg" "dpkg-deb -x failed"
  local kver
  kver=$(ls "$tmp/x/lib/modules")
  dir="$CACHE/kernel/$kver"
  mkdir -p "$dir/modules"
  cp "$tmp/x/boot/vmlinuz-$kver" "$dir/vmlinuz"
  local m f
  for m in "${GUEST_MODULES[@]}"; do
    f=$(find "$tmp/x/lib/modules/$kver" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n 1)
    [ -n "$f" ] || die_install "$pkg" "module $m not found in the kernel package"
    case "$f" in
    *.xz) xz -dc "$f" >"$dir/modules/$m.ko" ;;
    *.zst) zstd -qdc "$f" >"$dir/modules/$m.ko" ;;
    *) cp "$f" "$dir/modules/$m.ko" ;;
    esac
  done
  echo "$pkg $kver" >"$dir/VERSION"
  rm -rf "$tmp"
  echo "$dir"
}

# --- initramfs -----------------------------------------------------------------------

# Prints the path of the cached base initramfs (busybox, modules, /init, guest-lib.sh),
# rebuilding it when any input changed.
base_initramfs() { # kernel dir
  local kdir=$1 hash out
  hash=$( (cat "$kdir/VERSION" "$GUEST_DIR/init" "$GUEST_DIR/guest-lib.sh"
    printf '%s\n' "${GUEST_MODULES[@]}"; sha256sum "$(command -v busybox)") | sha256sum | cut -c1-16)
  out="$CACHE/base-$hash.cpio.gz"
  if [ ! -f "$out" ]; then
    local root
    root=$(mktemp -d -p "$CACHE")
    mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,data,modules,etc,lib,lib64,usr/bin}
    cp "$(command -v busybox)" "$root/bin/busybox"
    cp "$kdir"/modules/*.ko "$root/modules/"
    printf '%s\n' "${GUEST_MODULES[@]}" >"$root/modules/order"
    cp "$GUEST_DIR/init" "$root/init"
    cp "$GUEST_DIR/guest-lib.sh" "$root/guest-lib.sh"
    chmod 755 "$root/init" "$root/bin/busybox"
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
    mv "$out.tmp" "$out"
    rm -rf "$root"
    find "$CACHE" -maxdepth 1 -name 'base-*.cpio.gz' ! -name "base-$hash.cpio.gz" -delete
  fi
  echo "$out"
}

# Copies a host binary and every shared library it loads (per ldd) into the payload
# root at the same paths, so it runs in the guest unchanged.
guest_add_bin() { # payload root, host binary
  local root=$1 bin=$2 lib
  mkdir -p "$root$(dirname "$bin")"
  cp -L "$bin" "$root$bin"
  for lib in $(ldd "$bin" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# Builds a static binary of the workspace (crt-static, gnu target) and prints its path.
# kind: --example NAME or --bin NAME. GUEST_BIN_<name> (dashes as underscores) names a
# prebuilt static binary to use instead, e.g. GUEST_BIN_discburn=/path/to/discburn.
build_static() { # package, --example|--bin, name
  local pkg=$1 kind=$2 name=$3 log="$LOGS/build-$name.log"
  local override="GUEST_BIN_${name//-/_}"
  if [ -n "${!override:-}" ]; then
    echo "${!override}"
    return 0
  fi
  if ! (cd "$REPO" && RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --release --quiet -p "$pkg" "$kind" "$name" --target "$RUST_TARGET") >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    return 1
  fi
  if [ "$kind" = --example ]; then
    echo "$REPO/target/$RUST_TARGET/release/examples/$name"
  else
    echo "$REPO/target/$RUST_TARGET/release/$name"
  fi
}

# growisofs, dvd+rw-format and dvd+rw-mediainfo (dvd+rw-tools) in the payload.
guest_add_dvd_rw_tools() { # payload root
  guest_add_bin "$1" "$(command -v growisofs)"
  guest_add_bin "$1" "$(command -v dvd+rw-format)"
  guest_add_bin "$1" "$(command -v dvd+rw-mediainfo)"
}

# scenario_check of a burn through a drive the guest exported (51, 52, after
# through_url): the drive's own identity seen through the export, the burn's lines, and
# the shared image on the disc. Extra `NAME| ` line prefixes to show may follow.
burned_through() { # console log, disc backing file, payload root, prefix...
  local log=$1 disc=$2 root=$3 ok=0 line text id="IET"
  shift 3
  [ "$DRIVE" = serve ] && id="DISCBURN"
  grep -aq "^info| .*$id" "$log" || { say "  info through the export did not name the drive ($id)"; ok=1; }
  for line in "$@" "info| Medium" "write| Burned" "write| Verify" "direct| Verified"; do
    text=$(grep -a "^$line" "$log" | tail -n 1 | tr -d '\r')
    [ -z "$text" ] || say "  $text"
  done
  disc_holds "$disc" "$root/data/image.iso" || ok=1
  return $ok
}

# The discburn command, static and stripped, at /usr/bin/discburn in the payload.
guest_add_discburn() { # payload root
  local bin
  bin=$(build_static discburn-cli --bin discburn) || return 1
  strip -o "$1/usr/bin/discburn" "$bin"
}

# An ISO 9660 image of `size_kib` KiB of pseudo-random files, built on the host.
make_iso() { # output, size_kib
  local out=$1 kib=$2 src
  src=$(mktemp -d)
  head -c "$((kib * 1024 / 2))" /dev/urandom >"$src/a.bin"
  head -c "$((kib * 1024 / 2))" /dev/urandom >"$src/b.bin"
  echo "discburn guest harness" >"$src/README.TXT"
  xorriso -as mkisofs -quiet -R -J -V DISCBURN_TEST -o "$out" "$src" >/dev/null 2>&1
  rm -rf "$src"
  [ -s "$out" ]
}

# The image every burner scenario writes (growisofs, xorriso, discburn), made once per
# harness run in $RUN_DIR so their wall times are for the same bytes. GUEST_IMAGE_KIB sets
# its size (default 4 MiB). Copies it to `out`.
GUEST_IMAGE_KIB=${GUEST_IMAGE_KIB:-4096}
shared_iso() { # output
  local img="${RUN_DIR:?run-all sets RUN_DIR}/image-$GUEST_IMAGE_KIB.iso"
  if [ ! -s "$img" ]; then
    make_iso "$img.tmp" "$GUEST_IMAGE_KIB" || return 1
    mv "$img.tmp" "$img"
  fi
  cp "$img" "$1"
}

# --- tgt: a fresh blank DVD+R on 127.0.0.1 -----------------------------------------------

TGT_PID=
TGT_CTL=
TGT_IQN=iqn.2024-01.discburn.guest:dvd

# Each parallel job (run-all's GUEST_SLOT) draws from its own 1000 ports, so two jobs
# never pick the same one between probing it and binding it.
free_port() {
  local p lo=$((20000 + ${GUEST_SLOT:-0} * 1000))
  for p in $(shuf -i "$lo-$((lo + 999))" -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && [ ! -e "/var/run/tgtd/socket.$p" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# Starts a private tgtd on a free port with its own control socket and one MMC LUN
# backed by `disc` (empty file = blank DVD+R). Sets TGT_PORT, TGT_PID, TGT_CTL.
tgt_start() { # disc backing file, log
  local disc=$1 log=$2 i
  TGT_PORT=$(free_port) || { say "no free port for tgtd"; return 1; }
  TGT_CTL=$TGT_PORT
  # Started directly, not through the as_root function: a backgrounded function is a
  # subshell, and $! would name it instead of tgtd (killing it would orphan tgtd).
  if [ "$(id -u)" -eq 0 ]; then
    tgtd -f -C "$TGT_CTL" --iscsi "portal=127.0.0.1:$TGT_PORT" >"$log" 2>&1 &
  else
    sudo tgtd -f -C "$TGT_CTL" --iscsi "portal=127.0.0.1:$TGT_PORT" >"$log" 2>&1 &
  fi
  TGT_PID=$!
  for i in $(seq 1 50); do
    as_root tgtadm -C "$TGT_CTL" --lld iscsi --mode target --op show >/dev/null 2>&1 && break
    sleep 0.1
  done
  as_root tgtadm -C "$TGT_CTL" --lld iscsi --mode target --op new --tid 1 -T "$TGT_IQN" &&
    as_root tgtadm -C "$TGT_CTL" --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 \
      -b "$disc" --device-type=cd &&
    as_root tgtadm -C "$TGT_CTL" --lld iscsi --mode target --op bind --tid 1 -I 127.0.0.1
}

tgt_stop() {
  [ -n "$TGT_PID" ] || return 0
  as_root tgtadm -C "$TGT_CTL" --lld iscsi --mode target --op delete --tid 1 --force >/dev/null 2>&1 || true
  # tgtd ignores SIGTERM; it is our own child, stopped by its PID.
  kill -9 "$TGT_PID" 2>/dev/null || true
  wait "$TGT_PID" 2>/dev/null || true
  # Under sudo, $TGT_PID is sudo's, which does not pass SIGKILL on: stop our own tgtd
  # (its exact command line, unique by control socket and port) too.
  as_root pkill -9 -x -f "tgtd -f -C $TGT_CTL --iscsi portal=127.0.0.1:$TGT_PORT" 2>/dev/null || true
  rm -f "/var/run/tgtd/socket.$TGT_CTL" "/var/run/tgtd/socket.$TGT_CTL.lock" 2>/dev/null || true
  TGT_PID=
}

# --- discburn serve: the virtual recorder as the iSCSI target ---------------------------

SERVE_PID=

# Starts `discburn serve` on a free port with one LUN: the virtual recorder over `disc`
# (empty = a blank medium of kind `medium`), unthrottled, plus what the scenario's
# optional `scenario_serve_query MEDIUM` prints (e.g. `&mid=CODE`). Sets DRIVE_URL from
# the first `iscsi://` line it prints. Its log (every command at debug) goes to `log`.
serve_start() { # disc backing file, log, medium
  local disc=$1 log=$2 medium=$3 bin port i extra=
  bin=$(build_static discburn-cli --bin discburn) || { say "building discburn failed"; return 1; }
  port=$(free_port) || { say "no free port for discburn serve"; return 1; }
  if declare -F scenario_serve_query >/dev/null; then extra=$(scenario_serve_query "$medium"); fi
  "$bin" --log-level debug serve --listen "127.0.0.1:$port" \
    "virtual:$disc?media=$medium&speed=max&throttle=off$extra" >"$log.stdout" 2>"$log" &
  SERVE_PID=$!
  for i in $(seq 1 300); do
    DRIVE_URL=$(awk '/^iscsi:\/\// { print $1; exit }' "$log.stdout" 2>/dev/null)
    [ -n "$DRIVE_URL" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  say "discburn serve did not print its address; its log:"
  tail -n 20 "$log" "$log.stdout" >&2 || true
  return 1
}

# Stops the target as a user does (Ctrl-C): it saves the drive's state, then exits.
serve_stop() {
  [ -n "$SERVE_PID" ] || return 0
  kill -INT "$SERVE_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 300); do
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVE_PID" 2>/dev/null; then
    say "discburn serve did not stop on SIGINT within 30 s; killed"
    kill -9 "$SERVE_PID" 2>/dev/null || true
  fi
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=
}

# --- the drive behind the guest's /dev/sr0: tgt or discburn serve ----------------------

# tgt models one medium: a blank DVD+R (a non-empty file is a DVD-ROM).
backend_has_medium() { # backend, medium
  [ "$1" = serve ] || [ "$2" = dvd+r ]
}

drive_start() { # backend, disc backing file, log, medium
  case $1 in
    tgt)
      tgt_start "$2" "$3" || return 1
      DRIVE_URL=iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1
      ;;
    serve) serve_start "$2" "$3" "$4" ;;
    *) say "unknown drive backend $1 (tgt or serve)"; return 1 ;;
  esac
}

drive_stop() {
  tgt_stop
  serve_stop
}

# --- QEMU ----------------------------------------------------------------------------

# Boots the guest with `initrd` against the LUN at $DRIVE_URL; the console goes to `log`.
# Returns QEMU's exit status (124 = timed out).
boot_guest() { # kernel dir, initrd, console log
  local kdir=$1 initrd=$2 log=$3
  timeout "$QEMU_TIMEOUT" qemu-system-x86_64 \
    -nodefaults -no-user-config -machine pc -accel tcg -cpu max -smp 1 -m 512 \
    -display none -serial stdio -monitor none -nic none -no-reboot \
    -kernel "$kdir/vmlinuz" -initrd "$initrd" \
    -append 'console=ttyS0 panic=-1 loglevel=4 rdinit=/init' \
    -device virtio-scsi-pci,id=scsi0 \
    -drive "file=${DRIVE_URL:?drive_start sets DRIVE_URL},if=none,id=cd0,format=raw" \
    -device scsi-block,drive=cd0,bus=scsi0.0 \
    </dev/null >"$log" 2>&1
}

# --- checks used by scenarios ---------------------------------------------------------

# The value after "KEY: " on the last console line starting with it.
console_value() { # log, key
  { grep -a "^$2: " "$1" || true; } | tail -n 1 | sed "s/^$2: //" | tr -d '\r'
}

# The disc backing file holds exactly `image` at LBA 0; extra bytes past it must be
# zero (padding a burner added). Prints what it found.
disc_holds() { # disc backing file, image
  local disc=$1 image=$2 isz dsz
  isz=$(stat -c %s "$image")
  dsz=$(stat -c %s "$disc")
  if [ "$dsz" -lt "$isz" ]; then
    say "  disc holds $dsz bytes, image is $isz bytes"
    return 1
  fi
  if ! cmp -s -n "$isz" "$disc" "$image"; then
    say "  disc contents differ from $(basename "$image") within its $isz bytes"
    return 1
  fi
  if [ "$dsz" -gt "$isz" ] && [ -n "$(tail -c +"$((isz + 1))" "$disc" | tr -d '\0' | head -c 1)" ]; then
    say "  disc has non-zero bytes past the image's end"
    return 1
  fi
  say "  disc holds the image byte for byte ($isz bytes; $((dsz - isz)) bytes of zero padding after it)"
}

# A folder of `kib` KiB of pseudo-random files in a few subfolders (multi-session data).
make_tree() { # dir, kib
  local dir=$1 kib=$2 i
  mkdir -p "$dir/sub/deeper"
  for i in 1 2 3; do
    head -c "$((kib * 1024 / 4))" /dev/urandom >"$dir/file$i.bin"
  done
  head -c "$((kib * 1024 / 4))" /dev/urandom >"$dir/sub/deeper/last.bin"
  echo "discburn guest harness $(basename "$dir")" >"$dir/sub/NOTE.TXT"
}

# genisoimage in the guest as mkisofs too (growisofs runs "mkisofs").
guest_add_mkisofs() { # payload root
  guest_add_bin "$1" "$(command -v genisoimage)"
  ln -sf genisoimage "$1/usr/bin/mkisofs"
}

# The guest mounted the disc and found `n` files the same as the payload's.
mounted_same() { # console log, files expected at least
  local log=$1 n=$2 got
  got=$(grep -a '^MOUNT-SAME: ' "$log" | tr -d '\r' | awk '{ s += $2 } END { print s + 0 }')
  if [ "$got" -lt "$n" ]; then
    say "  the guest's kernel read $got files back from the mounted disc, expected $n"
    return 1
  fi
  say "  the guest's kernel (isofs) mounted the disc and read $got files back byte for byte"
}

# --- scenario building blocks ---------------------------------------------------------

# A burner scenario's payload: the burner's host binary and the shared ISO at
# data/image.iso.
prepare_burner() { # payload root, burner command
  guest_add_bin "$1" "$(command -v "$2")"
  shared_iso "$1/data/image.iso"
}

# scenario_check of a burn of the shared ISO: the disc holds it.
holds_shared_iso() { # console log, disc backing file, payload root
  disc_holds "$2" "$3/data/image.iso"
}

# The same, after the guest's kernel mounted the disc and listed the image's files.
mounted_shared_iso() { # console log, disc backing file, payload root
  grep -aq '^MOUNTED: .*a.bin' "$1" || { say "  the guest did not mount the disc with its files"; return 1; }
  holds_shared_iso "$@"
}

# Defines a whole scenario (scenario_prepare, scenario_guest, scenario_check) whose guest
# runs one burner command on the shared ISO, after which the disc holds that image.
burns_shared_iso() { # burner command, timing name, guest command line
  BURNER=$1 BURNER_TIMING=$2 BURNER_LINE=$3
  scenario_prepare() { prepare_burner "$1" "$BURNER"; }
  scenario_guest() {
    printf '%s\n' "timed $BURNER_TIMING $BURNER_LINE || { fail \"$BURNER exit \$?\"; exit 1; }" pass
  }
  scenario_check() { holds_shared_iso "$@"; }
}

# The two folders of a two-session scenario: data/s1/one and data/s2/two, 1 MiB each.
make_session_trees() { # payload root
  make_tree "$1/data/s1/one" 1024
  make_tree "$1/data/s2/two" 1024
}

# --- audio ------------------------------------------------------------------------------

# Two WAV tracks (44.1 kHz, 16-bit, stereo, pseudo-random samples) at data/t1.wav and
# data/t2.wav — 6 s, and 4.5 s plus half a sector (a last sector the burner completes) —
# and data/sizes, their sample bytes, for the guest.
make_wavs() { # payload root
  python3 - "$1/data" <<'PY'
import random, struct, sys
rng = random.Random(2026)
sizes = []
for name, frames in (("t1", 6 * 44100), ("t2", 4 * 44100 + 22050 + 294)):
    data = bytes(rng.getrandbits(8) for _ in range(frames * 4))
    hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 2, 44100, 44100 * 4, 4, 16) + b"data" + struct.pack("<I", len(data))
    open(f"{sys.argv[1]}/{name}.wav", "wb").write(hdr + data)
    sizes.append(str(len(data)))
open(f"{sys.argv[1]}/sizes", "w").write(" ".join(sizes) + "\n")
PY
}

# cdparanoia and cd-info in the guest, for the audio scenarios' read-back.
guest_add_audio_readers() { # payload root
  local gconv=/usr/lib/x86_64-linux-gnu/gconv
  guest_add_bin "$1" "$(command -v cdparanoia)"
  guest_add_bin "$1" "$(command -v cd-info)"
  # libcdio turns CD-Text's Latin-1 into UTF-8 with iconv, which loads glibc's gconv
  # modules at run time (ldd does not list them).
  mkdir -p "$1$gconv"
  cp -r "$gconv"/gconv-modules* "$gconv/ISO8859-1.so" "$1$gconv/"
}

# The guest lines that rip both tracks with cdparanoia (the real kernel's sg driver,
# READ CD) and print the MD5 of each track's first bytes — as many as its WAV holds —
# as "RIP-MD5: N md5", and cdparanoia's view of the TOC.
guest_rip_tracks() {
  cat <<'GUEST'
read n1 n2 </data/sizes
cdparanoia -d /dev/sr0 -Q 2>&1 | sed 's/^/TOC| /'
mkdir -p /tmp/rip && cd /tmp/rip || exit 1
timed cdparanoia cdparanoia -d /dev/sr0 -B -w >/tmp/rip.log 2>&1 || { tail -n 20 /tmp/rip.log; fail "cdparanoia exit $?"; exit 1; }
for t in 1 2; do
  eval n=\$n$t
  f=track0$t.cdda.wav
  [ -f "$f" ] || { fail "cdparanoia wrote no $f"; exit 1; }
  echo "RIP-BYTES: $t $(($(wc -c <"$f") - 44))"
  echo "RIP-MD5: $t $(tail -c +45 "$f" | head -c "$n" | md5sum | cut -d ' ' -f 1)"
done
GUEST
}

# The guest's rips hold each WAV's samples (a track ripped runs to the next track's
# start, so it may hold the gap's silence after them).
ripped_same() { # console log, payload root
  local log=$1 root=$2 t want got bytes size ok=0
  for t in 1 2; do
    size=$(cut -d ' ' -f "$t" "$root/data/sizes")
    want=$(tail -c "$size" "$root/data/t$t.wav" | md5sum | cut -d ' ' -f 1)
    got=$(grep -a "^RIP-MD5: $t " "$log" | tail -n 1 | awk '{ print $3 }' | tr -d '\r')
    bytes=$(grep -a "^RIP-BYTES: $t " "$log" | tail -n 1 | awk '{ print $3 }' | tr -d '\r')
    if [ "$got" != "$want" ] || [ "${bytes:-0}" -lt "$size" ]; then
      say "  track $t: cdparanoia ripped ${bytes:-no} bytes, md5 ${got:-none} of the first $size; the WAV's samples have md5 $want"
      ok=1
    else
      say "  track $t: cdparanoia ripped $bytes bytes; the first $size are the WAV's samples byte for byte"
    fi
  done
  return $ok
}

# The payload of an audio scenario: the two WAVs, cdparanoia and cd-info, and the
# burner — `discburn` (the workspace's static build) or a host command's binary.
prepare_audio_payload() { # payload root, burner
  if [ "$2" = discburn ]; then
    guest_add_discburn "$1" || return 1
  else
    guest_add_bin "$1" "$(command -v "$2")"
  fi
  guest_add_audio_readers "$1"
  make_wavs "$1"
}

# The guest lines of an audio scenario: the burner's command line (timed as `name`),
# cd-info's report (as CDINFO| lines), both tracks ripped, pass.
guest_audio_after() { # timing name, burner command line
  printf '%s\n' "timed $1 $2 || { fail \"$1 exit \$?\"; exit 1; }" \
    "cd-info --no-cddb --no-device-info /dev/sr0 2>&1 | sed 's/^/CDINFO| /'"
  guest_rip_tracks
  echo pass
}

# cd-info showed every CD-Text line given ("TITLE: …"); says which it missed.
cdinfo_shows() { # console log, text …
  local log=$1 s ok=0
  shift
  for s in "$@"; do
    grep -aq "^CDINFO| .*$s" "$log" || { say "  cd-info did not show the CD-Text \"$s\""; ok=1; }
  done
  return $ok
}

# What cd-info says of a disc's layout and text: the track list, the catalog number, the
# CD-Text lines.
cdinfo_summary() { # console log
  grep -a -E '^CDINFO\| +[0-9]+: [0-9]{2}:|^CDINFO\| (Media Catalog|CD-TEXT for|Language)|^CDINFO\| '$'\t''(TITLE|PERFORMER|SONGWRITER):' "$1" | tr -d '\r'
}
