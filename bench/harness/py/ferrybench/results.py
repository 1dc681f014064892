"""results.jsonl: one JSON object per line, the machine-readable output of a benchmark run.

    {"suite": "controlplane", "case": "writes", "params": {"concurrency": 16, ...},
     "system": "ferry", "metric": "writes_per_s", "value": 2806.5, "unit": "writes/s",
     "stat": "median", "runs": [2790.1, 2806.5, 2811.0, 2799.3, 2820.4]}

- `params` are identical for every system of a case, so rows of one case pair up.
- `runs` holds the per-run values in run order; run i of every system in a case was taken in
  the same round (A B A B ...), which is what pairwise ratios rely on. A run that failed is
  null there.
- `stat` says what `value` is: "median" (of `runs`); "median_pairwise_ratio" for rows whose
  system is "<a>/<b>" (value = median of runs[i] = a_i / b_i); "median_pairwise_difference"
  for rows whose system is "<a>-<b>" (runs[i] = a_i - b_i, in the metric's unit; per-packet
  costs only, where the difference is what the proxy adds over the no-proxy floor).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

FIELDS = ("suite", "case", "params", "system", "metric", "value", "unit", "stat", "runs")
STATS = ("median", "median_pairwise_ratio", "median_pairwise_difference")


class RowError(ValueError):
    pass


@dataclass
class Row:
    suite: str
    case: str
    params: dict
    system: str
    metric: str
    value: Optional[float]
    unit: str
    stat: str
    runs: list = field(default_factory=list)

    def key(self) -> tuple:
        """What identifies a row: rows of two systems pair when all but `system` agree."""
        return (self.suite, self.case, params_key(self.params), self.system, self.metric, self.stat)

    def to_json(self) -> str:
        obj = {
            "suite": self.suite,
            "case": self.case,
            "params": dict(sorted(self.params.items())),
            "system": self.system,
            "metric": self.metric,
            "value": _clean(self.value),
            "unit": self.unit,
            "stat": self.stat,
            "runs": [_clean(x) for x in self.runs],
        }
        # allow_nan=False: NaN/Infinity are not JSON; failed runs are null instead.
        return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def _clean(x):
    if x is None:
        return None
    if isinstance(x, bool):
        raise RowError("booleans are not measurements")
    if isinstance(x, (int, float)):
        if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
            return None
        return x
    raise RowError(f"not a number: {x!r}")


def params_key(params: dict) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def parse_row(line: str) -> Row:
    """One results.jsonl line -> Row. Raises RowError naming what is wrong."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise RowError(f"not JSON: {e}") from None
    if not isinstance(obj, dict):
        raise RowError("a row is a JSON object")
    missing = [f for f in FIELDS if f not in obj]
    if missing:
        raise RowError(f"missing fields: {', '.join(missing)}")
    extra = [k for k in obj if k not in FIELDS]
    if extra:
        raise RowError(f"unknown fields: {', '.join(extra)}")
    for f in ("suite", "case", "system", "metric", "unit", "stat"):
        if not isinstance(obj[f], str) or not obj[f]:
            raise RowError(f"{f} must be a non-empty string")
    if obj["stat"] not in STATS:
        raise RowError(f"unknown stat {obj['stat']!r}")
    if not isinstance(obj["params"], dict):
        raise RowError("params must be an object")
    if obj["value"] is not None and (isinstance(obj["value"], bool) or not isinstance(obj["value"], (int, float))):
        raise RowError("value must be a number or null")
    if not isinstance(obj["runs"], list):
        raise RowError("runs must be a list")
    for x in obj["runs"]:
        if x is not None and (isinstance(x, bool) or not isinstance(x, (int, float))):
            raise RowError("runs must hold numbers or null")
    return Row(**{f: obj[f] for f in FIELDS})


def read_rows(lines: Iterable[str]) -> Iterator[Row]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield parse_row(line)
        except RowError as e:
            raise RowError(f"line {n}: {e}") from None


def write_rows(path, rows: Iterable[Row]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(r.to_json() + "\n")
            count += 1
    return count
