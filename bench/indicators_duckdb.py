"""DuckDB side of the indicator benchmark (BENCHMARKS.md, "766 indicators").

Reads the per-dossier facts Motcua exported (facts.csv), computes the same QĐ 766 tallies per
resolving unit and month with SQL written from domain.md (§2.4, Decisions 6) — the same rules
as motcua_domain::indicators, independently restated — from CSV and from Parquet, times both,
and compares every counter with Motcua's own tallies (tallies.csv). Exits 1 on any difference.

Usage: python bench/indicators_duckdb.py <dir with facts.csv and tallies.csv>
"""

import sys
import time

import duckdb

COLUMNS = [
    "digitized_both", "digitized_input", "disliked", "early", "extended", "fee_bearing",
    "finished", "late", "multi_supplement", "on_time", "online", "online_766", "paid_online",
    "paper_result", "processed", "rated", "received", "result_digitized", "reused_data",
    "satisfied",
]

NS = 1_000_000_000
VN = 7 * 3600 * NS  # UTC+7
DAY = 86400 * NS

TALLY = f"""
WITH j AS (
  SELECT f.*, m.month, m.e - 1 AS as_of,
         f.received_at >= m.s AS recv_in,
         f.finished_at IS NOT NULL AND f.finished_at <= m.e - 1 AS fin
  FROM {{src}} f JOIN months m
    ON f.received_at < m.e AND (f.received_at >= m.s OR f.finished_at IS NULL OR f.finished_at >= m.s)
), c AS (
  SELECT *, CASE
    WHEN due_at IS NULL THEN NULL
    WHEN supplement_rounds > 1 AND (fin OR as_of > due_at) THEN 'late'
    WHEN fin AND finished_at > due_at THEN 'late'
    WHEN fin AND (finished_at + {VN}) // {DAY} < (due_at + {VN}) // {DAY} THEN 'early'
    WHEN fin THEN 'on_time'
    WHEN (CASE WHEN paused_since IS NOT NULL THEN least(paused_since, as_of) ELSE as_of END) > due_at THEN 'late'
  END AS t
  FROM j
)
SELECT unit, month,
  count(*) AS processed,
  count(*) FILTER (WHERE fin) AS finished,
  count(*) FILTER (WHERE fin AND t = 'early') AS early,
  count(*) FILTER (WHERE fin AND t = 'on_time') AS on_time,
  count(*) FILTER (WHERE t = 'late') AS late,
  count(*) FILTER (WHERE fin AND supplement_rounds > 1) AS multi_supplement,
  count(*) FILTER (WHERE fin AND extended = 1) AS extended,
  count(*) FILTER (WHERE fin AND rating IS NOT NULL) AS rated,
  count(*) FILTER (WHERE fin AND rating >= 4) AS satisfied,
  count(*) FILTER (WHERE fin AND rating <= 2) AS disliked,
  count(*) FILTER (WHERE recv_in) AS received,
  count(*) FILTER (WHERE recv_in AND online = 1) AS online,
  count(*) FILTER (WHERE recv_in AND online = 1 AND (paper_result = 0 OR result_digitized = 1)) AS online_766,
  count(*) FILTER (WHERE recv_in AND paper_result = 1) AS paper_result,
  count(*) FILTER (WHERE recv_in AND paper_result = 1 AND result_digitized = 1) AS result_digitized,
  count(*) FILTER (WHERE recv_in AND digitized_input = 1) AS digitized_input,
  count(*) FILTER (WHERE recv_in AND all_digitized = 1 AND (paper_result = 0 OR result_digitized = 1)) AS digitized_both,
  count(*) FILTER (WHERE recv_in AND reused = 1) AS reused_data,
  count(*) FILTER (WHERE recv_in AND fee_bearing = 1) AS fee_bearing,
  count(*) FILTER (WHERE recv_in AND fee_bearing = 1 AND paid_online = 1) AS paid_online
FROM c GROUP BY unit, month
"""

FACT_TYPES = {
    "unit": "VARCHAR", "received_at": "BIGINT", "finished_at": "BIGINT", "due_at": "BIGINT",
    "paused_since": "BIGINT", "supplement_rounds": "INTEGER", "extended": "INTEGER",
    "online": "INTEGER", "paper_result": "INTEGER", "result_digitized": "INTEGER",
    "digitized_input": "INTEGER", "all_digitized": "INTEGER", "reused": "INTEGER", "fee_bearing": "INTEGER",
    "paid_online": "INTEGER", "rating": "INTEGER",
}


def month_bounds(months):
    """(month, start, end) in epoch ns of local (UTC+7) midnights."""
    import datetime as dt
    out = []
    for m in months:
        y, mo = map(int, m.split("-"))
        start = dt.datetime(y, mo, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
        end = dt.datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
        out.append((m, int(start.timestamp()) * NS, int(end.timestamp()) * NS))
    return out


def main(d):
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(f"CREATE TABLE ours AS SELECT * FROM read_csv('{d}/tallies.csv', header=true, types={{'unit': 'VARCHAR', 'month': 'VARCHAR'}})")
    months = [r[0] for r in con.execute("SELECT DISTINCT month FROM ours ORDER BY month").fetchall()]
    con.execute("CREATE TABLE months (month VARCHAR, s BIGINT, e BIGINT)")
    con.executemany("INSERT INTO months VALUES (?, ?, ?)", month_bounds(months))

    t = time.perf_counter()
    con.execute(f"CREATE TABLE facts AS SELECT * FROM read_csv('{d}/facts.csv', header=true, columns={FACT_TYPES})")
    load = time.perf_counter() - t
    t = time.perf_counter()
    con.execute(f"CREATE TABLE duck AS {TALLY.format(src='facts')}")
    csv_query = time.perf_counter() - t
    rows = con.execute("SELECT count(*) FROM facts").fetchone()[0]

    con.execute(f"COPY facts TO '{d}/facts.parquet' (FORMAT parquet)")
    t = time.perf_counter()
    con.execute(f"CREATE TABLE duck_parquet AS {TALLY.format(src=f'read_parquet(' + chr(39) + d + '/facts.parquet' + chr(39) + ')')}")
    parquet_all = time.perf_counter() - t

    diffs = 0
    for table in ("duck", "duck_parquet"):
        cond = " OR ".join(f"coalesce(o.{c}, -1) <> coalesce(k.{c}, -1)" for c in COLUMNS)
        bad = con.execute(
            f"SELECT coalesce(o.unit, k.unit), coalesce(o.month, k.month) FROM ours o "
            f"FULL OUTER JOIN {table} k ON o.unit = k.unit AND o.month = k.month WHERE {cond}"
        ).fetchall()
        diffs += len(bad)
        for b in bad[:10]:
            print(f"DIFFERENT in {table}: {b}")
    groups = con.execute("SELECT count(*) FROM ours").fetchone()[0]
    print(f"duckdb {duckdb.__version__}: {rows} dossier rows, {len(months)} months, {groups} unit×month groups")
    print(f"duckdb csv load: {load:.3f} s, tallies from table: {csv_query:.3f} s, csv total: {load + csv_query:.3f} s")
    print(f"duckdb parquet (read + tallies): {parquet_all:.3f} s")
    print("same numbers: " + ("yes, every counter of every group" if diffs == 0 else f"NO, {diffs} groups differ"))
    return 0 if diffs == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
