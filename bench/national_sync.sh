#!/usr/bin/env bash
# Sync throughput to the national portal (issue 15): a database of N dossiers written in bulk
# (seed-bench), a Motcua server (`demo` on that database, with the portal configured) that marks them all for their first sync at start and sends
# them, and the portal simulator as a separate process checking every record (fields and
# transitions) and keeping each one on disk (fsync) before it answers. Loopback only.
# Usage: bash bench/national_sync.sh [dossiers] [parallel]
# MOTCUA_BIN=path runs an already built binary (e.g. an earlier commit's, for before/after).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
parallel=${2:-8}
sim_addr=127.0.0.1:18190
addr=127.0.0.1:18191
dir=$(mktemp -d /tmp/motcua-sync-bench-XXXX)
trap 'kill $server $sim 2>/dev/null || true; rm -rf "$dir"' EXIT
server=; sim=
if [ -n "${MOTCUA_BIN:-}" ]; then
  bin=$MOTCUA_BIN
else
  cargo build --release -q -p motcua
  bin=target/release/motcua
fi
$bin seed-bench --database "sqlite://$dir/motcua.db" --dossiers "$n" >/dev/null
$bin portal-sim --addr $sim_addr --token bench --data "$dir/sim" >/dev/null 2>&1 &
sim=$!
for _ in $(seq 1 50); do curl -sf "http://$sim_addr/dvcqg/thong-ke" >/dev/null && break; sleep 0.1; done
counts() { curl -sf "http://$sim_addr/dvcqg/thong-ke"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
start=$(date +%s.%N)
MOTCUA_DVCQG_URL=http://$sim_addr/dvcqg/hoso MOTCUA_DVCQG_TOKEN=bench MOTCUA_DVCQG_PULL_SECONDS=0 \
  MOTCUA_DVCQG_PARALLEL=$parallel RUST_LOG=warn \
  $bin demo --data "$dir" --addr $addr >/dev/null 2>&1 &
server=$!
echo "== $(nproc) cores, $(date -u +%F), $n dossiers, $parallel in flight"
while :; do
  kill -0 "$server" 2>/dev/null || { echo "the server stopped"; exit 1; }
  c=$(counts)
  done_n=$(( $(echo "$c" | field dossiers) + $(echo "$c" | field refused) ))
  [ "$done_n" -ge "$n" ] && break
  sleep 0.2
done
end=$(date +%s.%N)
c=$(counts)
python3 - "$start" "$end" "$n" "$c" <<'PY'
import json, sys
start, end, n, c = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
s = end - start
print(f"synced {c['dossiers']} dossiers ({c['refused']} refused, {c['duplicates']} duplicates) in {s:.1f} s "
      f"from the server's start: {c['dossiers'] / s:,.0f} records/s")
PY
rss=$(ps -o rss= -p "$server" | tr -d ' ')
echo "server RSS after the run: $((rss / 1024)) MB"
