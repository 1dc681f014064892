"""report.md from a small, hand-made run directory."""

import json
import tempfile
import unittest
from pathlib import Path

from ferrybench import report
from ferrybench.core import Case, Measurement, aggregate
from ferrybench.results import write_rows


class ReportTest(unittest.TestCase):
    def test_tables_ratios_verdicts_flags(self):
        case = Case("controlplane", "writes", {"concurrency": 16}, ["ferry", "etcd"], None, label="writes C=16")
        per = {"ferry": [Measurement({"writes_per_s": v, "p99_ms": 10.0, "client_cpu_frac": 0.2}) for v in (300, 310, 320)],
               "etcd": [Measurement({"writes_per_s": v, "p99_ms": 5.0, "client_cpu_frac": 0.3}) for v in (100, 100, 100)]}
        rows = aggregate(case, per)
        single = Case("model", "BM_X", {"args": "1/2"}, ["ferry"], None, label="BM_X/1/2")
        rows += aggregate(single, {"ferry": [Measurement({"ns_per_op": 1234.0})]})
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            write_rows(d / "results.jsonl", rows)
            (d / "cases.json").write_text(json.dumps([
                {"suite": "controlplane", "case": "writes", "params": {"concurrency": 16},
                 "systems": ["ferry", "etcd"], "label": "writes C=16", "reference": "ferry",
                 "notes": ["etcd run 1: client-bound"], "failures": ["ferry run 2: boom"]},
                {"suite": "model", "case": "BM_X", "params": {"args": "1/2"}, "systems": ["ferry"],
                 "label": "BM_X/1/2", "reference": "ferry", "notes": [], "failures": []}]))
            (d / "env.json").write_text(json.dumps({"mode": "quick", "runs": 3, "versions": {}}))
            text = report.render(d, {"controlplane": "What is compared."},
                                 {"controlplane": [("Throughput", "plots/x.svg")]})
        self.assertIn("What is compared.", text)
        self.assertIn("| writes C=16 | concurrency=16 | writes_per_s (writes/s) | 310 [305–315] | 100 [100–100] "
                      "| 3.10× [3.00–3.20] | higher is better | ferry ahead |", text)
        self.assertIn("| p99_ms (ms) | 10.0 [10.0–10.0] | 5.00 [5.00–5.00] | 2.00× [2.00–2.00] "
                      "| lower is better | ferry behind |", text)
        self.assertIn("client_cpu_frac", text)          # context table
        self.assertIn("- writes C=16: etcd run 1: client-bound", text)
        self.assertIn("**Failed runs**", text)
        self.assertIn("![Throughput](plots/x.svg)", text)
        self.assertIn("| BM_X | args=1/2 | ns_per_op (ns) | 1,234 |", text)

    def test_difference_column_for_per_packet_costs(self):
        case = Case("l4", "xdp_new_flow", {"services": 10}, ["ferry", "direct"], None, label="xdp new_flow")
        per = {"ferry": [Measurement({"ns_per_pkt": v}) for v in (400.0, 430.0)],
               "direct": [Measurement({"ns_per_pkt": v}) for v in (30.0, 40.0)]}
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            write_rows(d / "results.jsonl", aggregate(case, per))
            (d / "cases.json").write_text(json.dumps([
                {"suite": "l4", "case": "xdp_new_flow", "params": {"services": 10},
                 "systems": ["ferry", "direct"], "label": "xdp new_flow", "reference": "ferry",
                 "notes": [], "failures": []}]))
            (d / "env.json").write_text(json.dumps({"mode": "full", "runs": 2, "versions": {}}))
            text = report.render(d, {}, {})
        self.assertIn("| ferry/direct | ferry − direct | better |", text)
        self.assertIn("| 12.04× [10.75–13.33] | 380 [370–390] | lower is better | ferry behind |", text)

    def test_verdict_words(self):
        from ferrybench.results import Row
        r = lambda v, runs: Row("s", "c", {}, "a/b", "m", v, "ratio", "median_pairwise_ratio", runs)
        self.assertEqual(report.verdict(r(1.02, [1.0, 1.04]), "writes_per_s", "ferry"), "within 5 %")
        self.assertEqual(report.verdict(r(0.5, [0.4, 0.6]), "p99_ms", "ferry"), "ferry ahead")
        self.assertEqual(report.verdict(r(1.5, [0.9, 1.5, 2.0]), "writes_per_s", "ferry"),
                         "ferry ahead (pairs disagree)")


if __name__ == "__main__":
    unittest.main()
