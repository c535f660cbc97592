# Sourced inside the guest (busybox sh) before /scenario.sh. Markers the host reads:
#   SCENARIO-TIME: <name> <seconds>     wall time of one timed command
#   SCENARIO-RESULT: PASS | FAIL <why>  the scenario's verdict (print exactly one)

# Seconds since boot with centisecond resolution (busybox has no date +%N).
uptime_s() { cut -d ' ' -f 1 /proc/uptime; }

# timed NAME CMD ARGS...: runs CMD, prints its wall time, returns its exit status.
timed() {
  _name=$1
  shift
  _t0=$(uptime_s)
  "$@"
  _rc=$?
  _t1=$(uptime_s)
  echo "SCENARIO-TIME: $_name $(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.2f", b - a }')"
  return $_rc
}

pass() { echo "SCENARIO-RESULT: PASS"; }
fail() { echo "SCENARIO-RESULT: FAIL $*"; }
