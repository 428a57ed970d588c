#!/usr/bin/env bash
# The multi-host test: four "hosts" as network namespaces on one machine, joined by a bridge
# that lives in a fifth namespace (nothing touches the machine's own network):
#
#   broker 10.213.0.1    worker host w1 10.213.0.11    worker host w2 10.213.0.12
#   client 10.213.0.21
#
# It runs `mp4j broker` on the broker host, `mp4j worker --processes 2` on each worker host
# and a map (the examples' `cluster` map) on the client host; shows with `mp4j status` that
# both worker hosts did work; then takes w2's link down mid-map and checks that the map still
# returns complete, correct results. The namespaces and every process in them are removed on
# exit, pass or fail.
#
# Needs root, iproute2 (ip netns) and the build: mvn -B -q package -DskipTests.
# Usage: .ci/multihost.sh [calls] [millis-per-call]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
calls=${1:-4000}
millis=${2:-10}
mp4j_jar="$root/client/target/mp4j.jar"
examples_jar="$root/examples/target/mp4j-examples.jar"
for jar in "$mp4j_jar" "$examples_jar"; do
  if [ ! -f "$jar" ]; then
    echo "multihost: $jar is missing; build first (mvn -B -q package -DskipTests)" >&2
    exit 2
  fi
done

# Names unique to this run, so that two runs on one machine do not meet.
tag="mp4j$$"
ns_bridge="$tag-br"
ns_broker="$tag-broker"
ns_w1="$tag-w1"
ns_w2="$tag-w2"
ns_client="$tag-client"
all_ns=("$ns_broker" "$ns_w1" "$ns_w2" "$ns_client" "$ns_bridge")
broker_ip=10.213.0.1
address="tcp://$broker_ip:5555"
work=$(mktemp -d)
client_pid=

log() { printf '[multihost %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

cleanup() {
  local status=$?
  set +e
  for ns in "${all_ns[@]}"; do
    if ip netns list | grep -qw "^$ns"; then
      pids=$(ip netns pids "$ns" 2>/dev/null)
      [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    fi
  done
  [ -n "$client_pid" ] && kill -9 "$client_pid" 2>/dev/null
  for ns in "${all_ns[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  if [ "$status" -ne 0 ]; then
    for f in "$work"/*.log; do
      [ -f "$f" ] || continue
      echo "----- $(basename "$f") (last 30 lines)"
      tail -n 30 "$f"
    done
    log "FAILED (exit $status); namespaces and processes removed"
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  log "FAIL: $*"
  exit 1
}

in_ns() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

log "namespaces: ${all_ns[*]}"
ip netns add "$ns_bridge"
in_ns "$ns_bridge" ip link set lo up
in_ns "$ns_bridge" ip link add br0 type bridge
in_ns "$ns_bridge" ip link set br0 up
host_ip() {
  case $1 in
    broker) echo 10.213.0.1 ;;
    w1) echo 10.213.0.11 ;;
    w2) echo 10.213.0.12 ;;
    client) echo 10.213.0.21 ;;
  esac
}
for host in broker w1 w2 client; do
  ns="$tag-$host"
  ip netns add "$ns"
  in_ns "$ns" ip link set lo up
  # The veth is made inside the bridge's namespace, its far end moved straight into the host's.
  ip -n "$ns_bridge" link add "v-$host" type veth peer name eth0 netns "$ns"
  ip -n "$ns_bridge" link set "v-$host" master br0 up
  ip -n "$ns" addr add "$(host_ip "$host")/24" dev eth0
  ip -n "$ns" link set eth0 up
done

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/authkey"
chmod 600 "$work/authkey"

mp4j() {
  local ns=$1
  shift
  in_ns "$ns" java -XX:+UseSerialGC -jar "$mp4j_jar" "$@"
}

status_json() {
  mp4j "$ns_client" status --connect "$address" --authkey-file "$work/authkey" --json \
    --timeout-ms 3000 2>>"$work/status.log"
}

# Calls done by the workers of one host, from status --json.
calls_done() {
  { grep -o "\"host\":\"$2\"[^}]*\"callsDone\":[0-9]*" <<<"$1" || true; } \
    | { grep -o '[0-9]*$' || true; } | awk '{ s += $1 } END { print s + 0 }'
}

log "starting the broker on $address"
mp4j "$ns_broker" broker --bind "$address" --authkey-file "$work/authkey" \
  >"$work/broker.log" 2>&1 &

for host in w1 w2; do
  log "starting a worker daemon with 2 processes on $host"
  in_ns "$tag-$host" env MP4J_HOST="$host" java -XX:+UseSerialGC -jar "$mp4j_jar" worker \
    --connect "$address" --authkey-file "$work/authkey" --processes 2 --name "$host" \
    --classpath "$examples_jar" >"$work/worker-$host.log" 2>&1 &
done

deadline=$((SECONDS + 60))
while :; do
  json=$(status_json || true)
  workers=$(grep -o '"pid":' <<<"$json" | wc -l || true)
  [ "$workers" -ge 4 ] && break
  [ $SECONDS -ge $deadline ] && fail "4 worker processes did not join within 60 s (have $workers)"
  sleep 0.5
done
log "4 worker processes joined"

log "client host: mapping $calls calls of $millis ms each"
in_ns "$ns_client" env MP4J_BROKER="$address" MP4J_AUTHKEY="$(cat "$work/authkey")" \
  java -XX:+UseSerialGC -jar "$examples_jar" cluster "$calls" "$millis" 4 \
  >"$work/client.log" 2>&1 &
client_pid=$!

deadline=$((SECONDS + 60))
while :; do
  json=$(status_json || true)
  w1_done=$(calls_done "$json" w1)
  w2_done=$(calls_done "$json" w2)
  [ "$w1_done" -gt 0 ] && [ "$w2_done" -gt 0 ] && break
  kill -0 "$client_pid" 2>/dev/null || fail "the map ended before both hosts had worked"
  [ $SECONDS -ge $deadline ] && fail "both hosts did not work within 60 s (w1 $w1_done, w2 $w2_done)"
  sleep 0.5
done
log "both worker hosts did work: w1 $w1_done calls, w2 $w2_done calls; mp4j status says:"
mp4j "$ns_client" status --connect "$address" --authkey-file "$work/authkey" | sed 's/^/    /'

kill -0 "$client_pid" 2>/dev/null || fail "the map ended before the cut: give it more calls"
log "cutting worker host w2 off: its link goes down mid-map"
ip -n "$ns_bridge" link set v-w2 down
cut_at=$SECONDS

client_status=0
deadline=$((SECONDS + 180))
while kill -0 "$client_pid" 2>/dev/null; do
  [ $SECONDS -ge $deadline ] && fail "the map did not finish within 180 s of the cut"
  sleep 0.5
done
wait "$client_pid" || client_status=$?
client_pid=
log "the map finished $((SECONDS - cut_at)) s after the cut; the client says:"
sed 's/^/    /' "$work/client.log"
[ "$client_status" -eq 0 ] || fail "the client exited with $client_status"
grep -q "results complete and correct" "$work/client.log" || fail "the client did not confirm its results"
grep -q "^host w1:" "$work/client.log" || fail "no results from w1"
grep -q "^host w2:" "$work/client.log" || fail "no results from w2 before the cut"

# Across hosts too, a wrong key is refused, counted, and changes nothing for the others.
echo "not-the-key" > "$work/wrong-key"
if mp4j "$ns_client" status --connect "$address" --authkey-file "$work/wrong-key" \
    --timeout-ms 5000 >/dev/null 2>"$work/wrong-key.log"; then
  fail "the broker answered a client with a wrong key"
fi
log "a client with a wrong key was refused: $(cat "$work/wrong-key.log")"

# The broker declares a silent worker lost after its worker timeout (4 s by default).
deadline=$((SECONDS + 30))
while :; do
  json=$(status_json || true)
  lost=$(grep -o '"workersLost":[0-9]*' <<<"$json" | grep -o '[0-9]*$' || echo 0)
  [ "${lost:-0}" -ge 2 ] && break
  [ $SECONDS -ge $deadline ] && break
  sleep 0.5
done
log "after the cut: the broker counts $lost workers lost; mp4j status says:"
mp4j "$ns_client" status --connect "$address" --authkey-file "$work/authkey" | sed 's/^/    /'
[ "$lost" -ge 2 ] || fail "the broker did not count w2's 2 processes as lost"
# With CurveZMQ a refused client tries twice, and each refused handshake counts.
refused=$(grep -o '"authFailures":[0-9]*' <<<"$json" | grep -o '[0-9]*$' || echo 0)
[ "${refused:-0}" -ge 1 ] || fail "the broker did not count the wrong key"
log "PASS: both hosts worked, and the map survived losing w2 with complete, correct results"
