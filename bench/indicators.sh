#!/usr/bin/env bash
# QĐ 766 indicators at province scale (BENCHMARKS.md, "766 indicators"):
# 1. a province half-year (195,026 dossiers) through the domain rules (`motcua simulate`),
# 2. the full recompute of the rollups from the event log, the dashboard queries in process,
# 3. the JSON indicators and the public dashboard page over HTTP for every unit × month,
# 4. DuckDB (PyPI `duckdb`) computing the same tallies from the same rows exported to CSV and
#    Parquet: same numbers, and the times side by side.
# The recompute at 10^7 dossiers (copies of this half-year): bench/indicators_10m.sh.
# Usage: bash bench/indicators.sh   (BENCH_DIR=dir reuses a database made before)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-$(mktemp -d /tmp/motcua-indicators-XXXX)}
mkdir -p "$dir"
addr=127.0.0.1:18183
trap 'kill $server 2>/dev/null || true' EXIT
cargo build --release -q -p motcua
bin=target/release/motcua
db="sqlite://$dir/motcua.db"
if [ ! -f "$dir/motcua.db" ]; then
  /usr/bin/time -f "simulate: %e s, max RSS %M KiB" $bin simulate --province-half-year --database "$db"
fi
echo "== $(nproc) cores, $(date -u +%F), database $(du -h "$dir/motcua.db" | cut -f1)"
/usr/bin/time -f "bench-indicators: max RSS %M KiB" $bin bench-indicators --database "$db" --out "$dir/out"
$bin demo --data "$dir" --addr $addr >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://$addr/healthz" >/dev/null && break; sleep 0.2; done
$bin loadgen --addr $addr --mode indicators --from 2025-01 --to 2025-06 --requests 200 >/dev/null   # warm-up
$bin loadgen --addr $addr --mode indicators --from 2025-01 --to 2025-06 --requests 2000
kill $server
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q duckdb
fi
bench/.venv/bin/python bench/indicators_duckdb.py "$dir/out"
