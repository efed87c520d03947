#!/usr/bin/env bash
# Dossier transitions per second through the HTTP API on SQLite (durable: WAL, synchronous=FULL),
# and the raw-write floor of the same rows. Loopback only; stops by itself.
# Usage: bash bench/transitions.sh [concurrency] [seconds]
# MOTCUA_BIN=path runs an already built binary (e.g. an earlier commit's, for before/after in one run).
# MOTCUA_CLIENT_BIN=path runs the load generator from another binary (the current tree's, when an
# older server's own load generator no longer matches its rules).
set -euo pipefail
cd "$(dirname "$0")/.."
conc=${1:-64}
secs=${2:-15}
addr=127.0.0.1:18181
dir=$(mktemp -d /tmp/motcua-bench-XXXX)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
if [ -n "${MOTCUA_BIN:-}" ]; then
  bin=$MOTCUA_BIN
else
  cargo build --release -q -p motcua
  bin=target/release/motcua
fi
$bin seed-bench --database "sqlite://$dir/motcua.db" --dossiers 20000 >/dev/null
# The national-portal simulator as its own process (as in production, the portal is elsewhere);
# the server marks the 20,000 seeded dossiers for their first sync at start, and the load starts
# once the portal has them all, so the run measures the steady state: every action marked and
# synced while it happens. MOTCUA_NO_PORTAL=1 runs without the sync (for older binaries' setup).
sim=
if [ -z "${MOTCUA_NO_PORTAL:-}" ] && $bin portal-sim --help >/dev/null 2>&1; then
  $bin portal-sim --addr 127.0.0.1:18182 --token bench --data "$dir/sim" >/dev/null 2>&1 &
  sim=$!
  export MOTCUA_DVCQG_URL=http://127.0.0.1:18182/dvcqg/hoso MOTCUA_DVCQG_TOKEN=bench MOTCUA_DVCQG_PULL_SECONDS=0
fi
trap 'kill $server $sim 2>/dev/null || true; rm -rf "$dir"' EXIT
$bin demo --data "$dir" --addr $addr >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://$addr/healthz" >/dev/null && break; sleep 0.2; done
if [ -n "$sim" ]; then
  for _ in $(seq 1 600); do
    n=$(curl -sf http://127.0.0.1:18182/dvcqg/thong-ke | python3 -c "import json,sys; print(json.load(sys.stdin)['dossiers'])" || echo 0)
    [ "$n" -ge 20000 ] && break
    sleep 0.5
  done
  echo "the portal holds $n dossiers before the load"
fi
echo "== $(nproc) cores, $(date -u +%F), concurrency $conc, ${secs}s"
${MOTCUA_CLIENT_BIN:-$bin} loadgen --addr $addr --mode transitions --concurrency "$conc" --seconds "$secs"
kill $server; wait $server 2>/dev/null || true
$bin bench-raw --database "sqlite://$dir/motcua.db" --rows 100000 --batch "$conc"
$bin bench-raw --database "sqlite://$dir/motcua.db" --rows 20000 --batch 1
