#!/usr/bin/env bash
# Inbox latency at 10^6 dossiers on SQLite: seed (bulk, through the domain rules), then
# sequential inbox requests as a provincial leader (10 agencies), the provincial receiver and a
# ward receiver, first pages and up to 5 pages deep. Loopback only.
# Usage: bash bench/inbox.sh [dossiers] [requests]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
reqs=${2:-3000}
addr=127.0.0.1:18182
dir=${BENCH_DIR:-$(mktemp -d /tmp/motcua-inbox-XXXX)}
mkdir -p "$dir"
trap 'kill $server 2>/dev/null || true' EXIT
cargo build --release -q -p motcua
bin=target/release/motcua
if [ ! -f "$dir/motcua.db" ]; then
  /usr/bin/time -f "seed: %e s, max RSS %M KiB" $bin seed-bench --database "sqlite://$dir/motcua.db" --dossiers "$n"
fi
$bin demo --data "$dir" --addr $addr >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://$addr/healthz" >/dev/null && break; sleep 0.2; done
echo "== $(nproc) cores, $(date -u +%F), database $(du -h "$dir/motcua.db" | cut -f1)"
sqlite3 "$dir/motcua.db" "select count(*) || ' dossiers, ' || sum(holder_unit <> '') || ' open' from dossiers" 2>/dev/null || true
$bin loadgen --addr $addr --mode inbox --requests 300 >/dev/null   # warm-up
$bin loadgen --addr $addr --mode inbox --requests "$reqs"
$bin loadgen --addr $addr --mode inbox --requests "$reqs" --users lanhdao
