#!/usr/bin/env bash
# Throughput of `discburn write` to a remote (iSCSI) unthrottled virtual BD-R exported by
# `discburn serve`, with 0, 1 and 10 ms of added one-way latency (issue 16). The kernels
# these machines run have no sch_netem (`tc qdisc add … netem` says "Specified qdisc kind
# is unknown"), so the delay comes from delay_proxy.py, a userspace proxy on 127.0.0.1.
#
#   scripts/bench/latency.sh [MiB]      # default 256 MiB
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
MIB=${1:-256}
cargo build --release -q -p discburn-cli --manifest-path "$REPO/Cargo.toml"
B=$REPO/target/release/discburn
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$work/src.iso"
for ms in 0 1 10; do
  rm -f "$work/disc.img" "$work/disc.img".*
  "$B" serve --listen 127.0.0.1:0 "virtual:$work/disc.img?media=bd-r&speed=max&throttle=off" >"$work/serve.out" 2>/dev/null &
  serve=$!
  for _ in $(seq 100); do grep -q '^iscsi://' "$work/serve.out" && break; sleep 0.1; done
  url=$(awk '/^iscsi:\/\// { print $1; exit }' "$work/serve.out")
  port=$(echo "$url" | sed 's|iscsi://127.0.0.1:\([0-9]*\)/.*|\1|')
  if [ "$ms" -gt 0 ]; then
    proxy_port=$((port + 1))
    python3 "$REPO/scripts/bench/delay_proxy.py" "$proxy_port" "$port" "$ms" >/dev/null &
    proxy=$!
    sleep 0.5
    url=${url/:$port\//:$proxy_port/}
  fi
  "$B" --json --drive "$url" write "$work/src.iso" >"$work/w.json"
  python3 - "$work/w.json" "$ms" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"result"' in l][-1]
mb = r["bytes"] / 1e6
print(f"{sys.argv[2]:>3} ms one way: {mb:.0f} MB in {r['write_time_s']:.2f} s = {mb / r['write_time_s']:.1f} MB/s")
PY
  [ "$ms" -gt 0 ] && kill "$proxy" 2>/dev/null || true
  kill -INT "$serve"; wait "$serve" 2>/dev/null || true
done
