#!/usr/bin/env python3
"""Dump PyPI `holidays` (Vietnam) for 2020-2030 into a JSON fixture.

The Rust test crates/motcua-domain/tests/calendar_pypi.rs compares Motcua's computed
statutory holidays with this fixture, year by year.

Usage (from the repository root):

    python3 -m venv /tmp/hv && /tmp/hv/bin/pip install holidays==0.109
    /tmp/hv/bin/python scripts/holidays_fixture.py > data/holidays/pypi-holidays-vn-2020-2030.json

Each entry has a category:
- "statutory": a holiday of the Labour Code (art. 112) on its own date;
- "observed": a compensatory day (art. 111.3, and the Tết rule PyPI encodes);
- "special": a one-off day off the Government decreed by swapping a working day
  (PyPI's VietnamStaticHolidays), which Motcua keeps in data/holidays/YYYY.toml instead.
"""

import json
import sys

import holidays
from holidays.countries.vietnam import VietnamStaticHolidays

PINNED_VERSION = "0.109"
YEARS = range(2020, 2031)


def special_days_off(year):
    """Dates PyPI lists as decreed day swaps in `year` (the first month/day pair of each)."""
    spec = VietnamStaticHolidays.special_public_holidays.get(year, ())
    swaps = spec if spec and isinstance(spec[0], tuple) else (spec,) if spec else ()
    return {f"{year}-{month:02d}-{day:02d}" for month, day, *_ in swaps}


def main():
    if holidays.__version__ != PINNED_VERSION:
        sys.exit(f"holidays {holidays.__version__} installed; pin holidays=={PINNED_VERSION}")
    years = {}
    for year in YEARS:
        with_observed = holidays.country_holidays("VN", years=year, language="vi")
        actual = holidays.country_holidays("VN", years=year, language="vi", observed=False)
        special = special_days_off(year)
        entries = []
        for date, name in sorted(with_observed.items()):
            iso = date.isoformat()
            if iso in special:
                category = "special"
            elif date in actual:
                category = "statutory"
            else:
                category = "observed"
            entries.append({"date": iso, "name": name, "category": category})
        years[str(year)] = entries
    fixture = {
        "generator": "scripts/holidays_fixture.py",
        "package": "holidays",
        "version": holidays.__version__,
        "country": "VN",
        "years": years,
    }
    json.dump(fixture, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
