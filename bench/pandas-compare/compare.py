"""Checks framestore's JSON/CSV cell text against pandas (Debian python3-pandas; pyarrow is not packaged).

Usage: python3 bench/pandas-compare/compare.py cases.json   (cases from export-cases.ts)

For every cell: (1) exact — pandas/Python parses our text back to the very stored value; (2) same as
pandas' own writers — `to_json(orient="records", date_format="iso", date_unit=<unit>)` and `to_csv()`.
Prints one line per column and the first difference from each pandas writer.
"""
import datetime
import decimal
import json
import math
import re
import struct
import sys

import numpy as np
import pandas as pd

UNIT_NS = {"SECOND": 10**9, "MILLISECOND": 10**6, "MICROSECOND": 10**3, "NANOSECOND": 1}
JSON_UNIT = {"SECOND": "s", "MILLISECOND": "ms", "MICROSECOND": "us", "NANOSECOND": "ns"}


def unit_of(type_name):
    """`Timestamp<MICROSECOND, UTC>` → MICROSECOND."""
    return re.match(r"\w+<(\w+)", type_name).group(1)


def same_float(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def parse_float_text(text):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(text, None) or float(text)


def exact(name, type_name, raw, text):
    """Whether pandas/Python reads `text` (our CSV cell) back as the stored raw value."""
    if name.startswith("ts_"):
        stamp = pd.Timestamp(text)
        return stamp.value == int(raw) * UNIT_NS[unit_of(type_name)] and (stamp.tz is not None) == text.endswith("Z")
    if name == "date32":
        return pd.Timestamp(text).value == int(raw) * 86_400 * 10**9
    if name.startswith("duration_"):
        return pd.Timedelta(text).value == int(raw) * UNIT_NS[unit_of(type_name)]
    if name == "time_us":
        t = datetime.time.fromisoformat(text)
        return ((t.hour * 60 + t.minute) * 60 + t.second) * 10**6 + t.microsecond == int(raw)
    if name == "int64":
        return int(text) == int(raw)
    if name == "float64":
        value = struct.unpack("<d", bytes.fromhex(raw.rjust(16, "0"))[::-1])[0]
        return same_float(parse_float_text(text), value)
    if name == "float32":
        value = float(np.frombuffer(bytes.fromhex(raw.rjust(8, "0")), dtype=">f4")[0])
        return same_float(float(np.float32(parse_float_text(text))), value)
    if name.startswith("decimal_s"):
        with decimal.localcontext() as context:
            context.prec = 100  # the default 28 digits would round a 38-digit decimal
            return decimal.Decimal(text) == decimal.Decimal(raw).scaleb(-int(name[len("decimal_s") :]))
    raise ValueError(name)


def ns_array(raw, type_name):
    return np.array([int(v) * UNIT_NS[unit_of(type_name)] for v in raw], dtype="int64")


def pandas_series(name, type_name, raw):
    """The same values as pandas holds them (None where pandas cannot)."""
    if name.startswith("ts_"):
        values = pd.DatetimeIndex(ns_array(raw, type_name).view("datetime64[ns]"))
        return pd.Series(values.tz_localize("UTC") if "," in type_name else values)
    if name == "date32":
        return pd.Series(pd.to_datetime([int(v) for v in raw], unit="D")).dt.date
    if name.startswith("duration_"):
        return pd.Series(ns_array(raw, type_name).view("timedelta64[ns]"))
    if name == "int64":
        return pd.Series([int(v) for v in raw], dtype="int64")
    if name == "float64":
        return pd.Series([struct.unpack("<d", bytes.fromhex(v.rjust(16, "0"))[::-1])[0] for v in raw])
    if name == "float32":
        return pd.Series(np.array([np.frombuffer(bytes.fromhex(v.rjust(8, "0")), dtype=">f4")[0] for v in raw], dtype="float32"))
    return None


def pandas_cells(series, type_name):
    unit = JSON_UNIT.get(unit_of(type_name), "ms") if "<" in type_name else "ms"
    records = json.loads(pd.DataFrame({"c": series}).to_json(orient="records", date_format="iso", date_unit=unit))
    as_json = [json.dumps(r["c"], ensure_ascii=False) for r in records]
    as_csv = pd.DataFrame({"c": series}).to_csv(index=False, lineterminator="\n").split("\n")[1:-1]
    return as_json, as_csv


def main(path):
    cases = json.load(open(path))
    print(f"pandas {pd.__version__}, numpy {np.__version__}; seed {cases['seed']}")
    print(f"{'column':<12} {'type':<36} {'cells':>5} {'exact':>5} {'=to_json':>8} {'=to_csv':>7}  first differences (ours | pandas)", flush=True)
    for col in cases["columns"]:
        name, type_name, raw = col["name"], col["type"], col["raw"]
        ok = sum(exact(name, type_name, r, t) for r, t in zip(raw, col["csv"]))
        series = pandas_series(name, type_name, raw)
        same_json = same_csv = "-"
        notes = []
        if series is not None:
            pj, pc = pandas_cells(series, type_name)
            # Compare our JSON text with pandas' JSON value re-serialised the same way.
            ours_json = [json.dumps(json.loads(t), ensure_ascii=False) for t in col["json"]]
            same_json = sum(a == b for a, b in zip(ours_json, pj))
            same_csv = sum(a == b for a, b in zip(col["csv"], pc))
            for ours, theirs, label in ((ours_json, pj, "json"), (col["csv"], pc, "csv")):
                diff = next(((a, b) for a, b in zip(ours, theirs) if a != b), None)
                if diff:
                    notes.append(f"{label}: {diff[0]} | {diff[1]}")
        print(f"{name:<12} {type_name:<36} {len(raw):>5} {ok:>5} {same_json:>8} {same_csv:>7}  {'; '.join(notes)}")


if __name__ == "__main__":
    main(sys.argv[1])
