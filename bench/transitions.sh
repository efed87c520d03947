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
$bin demo --data "$dir" --addr $addr >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://$addr/healthz" >/dev/null && break; sleep 0.2; done
echo "== $(nproc) cores, $(date -u +%F), concurrency $conc, ${secs}s"
${MOTCUA_CLIENT_BIN:-$bin} loadgen --addr $addr --mode transitions --concurrency "$conc" --seconds "$secs"
kill $server; wait $server 2>/dev/null || true
$bin bench-raw --database "sqlite://$dir/motcua.db" --rows 100000 --batch "$conc"
$bin bench-raw --database "sqlite://$dir/motcua.db" --rows 20000 --batch 1
