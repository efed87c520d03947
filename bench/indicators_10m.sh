#!/usr/bin/env bash
# The issue-5 target "full recompute of the QĐ 766 rollups from the events of 10^7 dossiers
# ≤ 60 s" (BENCHMARKS.md, "766 indicators"):
# 1. a province half-year (195,026 dossiers) through the domain rules (`motcua simulate`),
#    unless BENCH_DIR already holds one, and its recompute alone;
# 2. a 10^7-dossier database made of COPIES (default 51) more copies of those simulated
#    histories, each with new dossier codes (`K01.` + code, …, rewritten in the payloads too),
#    appended in code order with the sqlite3 shell. These are copies of simulated histories, not
#    new simulations: every copy counts the same. Rewriting the codes breaks the copies' hash
#    chains (`verify-audit` would report them); the recompute does not check chains. Only the
#    event log is copied: the `dossiers` projections stay those of the original half-year;
# 3. the full recompute on it (`motcua bench-indicators --recompute-only`), which prints
#    dossiers, events, seconds, dossiers/s and the database's size; then a check that every
#    rollup row is exactly (COPIES + 1) × the half-year's.
# Needs ~55 GB free in BENCH_DIR. KEEP=1 keeps the big database; it is deleted otherwise.
# Usage: bash bench/indicators_10m.sh   (BENCH_DIR=dir reuses a half-year database made before)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-$(mktemp -d /tmp/motcua-indicators-XXXX)}
copies=${COPIES:-51}
mkdir -p "$dir"
cargo build --release -q -p motcua
bin=target/release/motcua
base="$dir/motcua.db"
big="$dir/motcua-10m.db"
if [ ! -f "$base" ]; then
  /usr/bin/time -f "simulate: %e s, max RSS %M KiB" $bin simulate --province-half-year --database "sqlite://$base"
fi
echo "== $(nproc) cores, $(date -u +%F)"
# Opening the half-year with this build migrates it; its own recompute is the 195k figure.
$bin bench-indicators --database "sqlite://$base" --recompute-only
sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
rm -f "$big" "$big-wal" "$big-shm"
t0=$(date +%s)
sqlite3 "$base" "VACUUM INTO '$big'"
for k in $(seq -f "%02g" 1 "$copies"); do
  sqlite3 "$big" >/dev/null <<SQL
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
PRAGMA cache_size=-1000000;
ATTACH '$base' AS b;
INSERT INTO dossier_events (dossier_code, seq, occurred_at, actor, action, payload, prev_hash, hash, snapshot)
SELECT 'K$k.' || dossier_code, seq, occurred_at, actor, action,
       replace(payload, '"' || dossier_code || '"', '"K$k.' || dossier_code || '"'), prev_hash, hash, snapshot
FROM b.dossier_events ORDER BY dossier_code, seq;
SQL
  printf '\rcopy %s/%s, %s s' "$k" "$copies" "$(( $(date +%s) - t0 ))"
done
sqlite3 "$big" "PRAGMA journal_mode=WAL;" >/dev/null
echo
echo "built $big in $(( $(date +%s) - t0 )) s: $(du -h "$big" | cut -f1)"
/usr/bin/time -f "recompute-only run: %e s wall, %U s user, %S s sys, max RSS %M KiB" \
  $bin bench-indicators --database "sqlite://$big" --recompute-only
# Every rollup row of the copies' database is (copies + 1) × the half-year's, every counter.
n=$((copies + 1))
cols=$(sqlite3 "$base" "SELECT group_concat(name, ',') FROM pragma_table_info('indicator_rollups')
                        WHERE name NOT IN ('month', 'unit', 'procedure_code', 'field', 'level')")
scaled=$(echo "$cols" | sed "s/,/ * $n, /g; s/\$/ * $n/")
sqlite3 "$big" <<SQL
ATTACH '$base' AS b;
SELECT (SELECT COUNT(*) FROM indicator_rollups) || ' rollup rows, '
    || (SELECT COUNT(*) FROM (SELECT month, unit, procedure_code, field, level, $cols FROM indicator_rollups
                              EXCEPT
                              SELECT month, unit, procedure_code, field, level, $scaled FROM b.indicator_rollups))
    || ' differ from $n x the half-year''s';
SQL
if [ "${KEEP:-0}" != 1 ]; then rm -f "$big" "$big-wal" "$big-shm"; fi
