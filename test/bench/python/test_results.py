"""results.jsonl rows: formatting, parsing and validation."""

import io
import json
import math
import tempfile
import unittest
from pathlib import Path

from ferrybench.results import FIELDS, Row, RowError, parse_row, read_rows, write_rows


def sample(**kw):
    base = dict(suite="controlplane", case="writes", params={"concurrency": 16, "count": 10000},
                system="ferry", metric="writes_per_s", value=2806.5, unit="writes/s", stat="median",
                runs=[2790.1, 2806.5, None, 2811.0])
    base.update(kw)
    return Row(**base)


class RowFormatTest(unittest.TestCase):
    def test_one_line_with_exactly_the_fields_in_order(self):
        line = sample().to_json()
        self.assertNotIn("\n", line)
        obj = json.loads(line)
        self.assertEqual(list(obj), list(FIELDS))
        self.assertEqual(obj["runs"], [2790.1, 2806.5, None, 2811.0])

    def test_params_are_sorted_so_rows_pair_textually(self):
        a = sample(params={"b": 1, "a": 2}).to_json()
        b = sample(params={"a": 2, "b": 1}).to_json()
        self.assertEqual(a, b)

    def test_nan_and_inf_become_null(self):
        obj = json.loads(sample(value=math.nan, runs=[math.inf, 1.0]).to_json())
        self.assertIsNone(obj["value"])
        self.assertEqual(obj["runs"], [None, 1.0])

    def test_round_trip(self):
        r = sample()
        self.assertEqual(parse_row(r.to_json()), r)
        ratio = sample(system="ferry/etcd", unit="ratio", stat="median_pairwise_ratio", value=1.7,
                       runs=[1.6, 1.7, None, 1.8])
        self.assertEqual(parse_row(ratio.to_json()), ratio)

    def test_key_ignores_param_order(self):
        self.assertEqual(sample(params={"x": 1, "y": 2}).key(), sample(params={"y": 2, "x": 1}).key())


class RowParseTest(unittest.TestCase):
    def good(self):
        return json.loads(sample().to_json())

    def expect_error(self, obj, fragment):
        with self.assertRaises(RowError) as cm:
            parse_row(json.dumps(obj))
        self.assertIn(fragment, str(cm.exception))

    def test_rejects_missing_and_unknown_fields(self):
        obj = self.good()
        del obj["unit"]
        self.expect_error(obj, "missing fields: unit")
        obj = self.good()
        obj["extra"] = 1
        self.expect_error(obj, "unknown fields: extra")

    def test_rejects_wrong_types(self):
        for field, bad, msg in [("suite", "", "suite"), ("params", [], "params"),
                                ("value", "12", "value"), ("value", True, "value"),
                                ("runs", {}, "runs"), ("runs", ["x"], "runs"), ("stat", "mean", "stat")]:
            obj = self.good()
            obj[field] = bad
            self.expect_error(obj, msg)

    def test_rejects_non_json(self):
        with self.assertRaises(RowError):
            parse_row("{not json")
        with self.assertRaises(RowError):
            parse_row("[1, 2]")

    def test_read_rows_skips_blank_lines_and_names_the_bad_line(self):
        text = sample().to_json() + "\n\n" + sample(system="etcd").to_json() + "\n"
        rows = list(read_rows(io.StringIO(text)))
        self.assertEqual([r.system for r in rows], ["ferry", "etcd"])
        with self.assertRaises(RowError) as cm:
            list(read_rows(io.StringIO(sample().to_json() + "\n{}\n")))
        self.assertIn("line 2", str(cm.exception))

    def test_write_then_read(self):
        rows = [sample(), sample(system="etcd", value=1666.0)]
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "results.jsonl"
            self.assertEqual(write_rows(p, rows), 2)
            with open(p) as f:
                self.assertEqual(list(read_rows(f)), rows)


if __name__ == "__main__":
    unittest.main()
