"""The engine: alternating order, failed runs, aggregation into median and pairwise-ratio rows."""

import tempfile
import unittest
from pathlib import Path

from ferrybench.core import Case, Ctx, Measurement, aggregate, run_case
from ferrybench.procs import MeasureError


def ctx(runs=3, warmup=0):
    d = Path(tempfile.mkdtemp())
    return Ctx(root=d, build=d, out=d, tmp=d, quick=True, runs=runs, warmup_rounds=warmup,
               server_cpu=None, client_cpu=None, log=lambda msg: None)


class RunCaseTest(unittest.TestCase):
    def test_runs_alternate_and_rows_pair(self):
        order = []
        values = {"ferry": [200.0, 220.0, 210.0], "etcd": [100.0, 100.0, 140.0]}

        def measure(c, system, run):
            order.append((system, run))
            if run < 0:
                return Measurement({"writes_per_s": 1.0})
            return Measurement({"writes_per_s": values[system][run], "server_cpu_s": 1.0},
                               ["client-bound"] if system == "etcd" and run == 2 else [])

        case = Case("controlplane", "writes", {"concurrency": 1}, ["ferry", "etcd"], measure,
                    primary="writes_per_s")
        rows, rec = run_case(ctx(runs=3, warmup=1), case)
        self.assertEqual(order, [("ferry", -1), ("etcd", -1), ("ferry", 0), ("etcd", 0),
                                 ("ferry", 1), ("etcd", 1), ("ferry", 2), ("etcd", 2)])
        by = {(r.system, r.metric): r for r in rows}
        self.assertEqual(by[("ferry", "writes_per_s")].value, 210.0)
        self.assertEqual(by[("ferry", "writes_per_s")].runs, [200.0, 220.0, 210.0])
        self.assertEqual(by[("etcd", "writes_per_s")].value, 100.0)
        ratio = by[("ferry/etcd", "writes_per_s")]
        self.assertEqual(ratio.stat, "median_pairwise_ratio")
        self.assertEqual(ratio.runs, [2.0, 2.2, 1.5])
        self.assertEqual(ratio.value, 2.0)
        # Context metrics (no "better" direction) get no ratio row.
        self.assertNotIn(("ferry/etcd", "server_cpu_s"), by)
        self.assertEqual(rec.notes, ["etcd run 3: client-bound"])
        self.assertEqual(rec.failures, [])

    def test_a_failed_run_is_null_and_drops_its_pair(self):
        def measure(c, system, run):
            if system == "etcd" and run == 1:
                raise MeasureError("etcd exited")
            return Measurement({"p99_ms": 2.0 if system == "ferry" else 4.0})

        case = Case("controlplane", "watch_fanout", {"watchers": 100}, ["ferry", "etcd"], measure)
        rows, rec = run_case(ctx(runs=3), case)
        by = {(r.system, r.metric): r for r in rows}
        self.assertEqual(by[("etcd", "p99_ms")].runs, [4.0, None, 4.0])
        self.assertEqual(by[("ferry/etcd", "p99_ms")].runs, [0.5, None, 0.5])
        self.assertEqual(len(rec.failures), 1)
        self.assertIn("etcd run 2: etcd exited", rec.failures[0])

    def test_single_system_cases_have_no_ratio_rows(self):
        case = Case("model", "BM_X", {}, ["ferry"], lambda c, s, r: Measurement({"ns_per_op": 5.0 + r}))
        rows, _ = run_case(ctx(runs=3), case)
        self.assertEqual([(r.system, r.stat, r.value) for r in rows], [("ferry", "median", 6.0)])

    def test_per_packet_costs_also_get_pairwise_differences(self):
        case = Case("l4", "xdp_new_flow", {"services": 10}, ["ferry", "direct"], None)
        per = {"ferry": [Measurement({"ns_per_pkt": v}) for v in (400.0, 430.0, 410.0)],
               "direct": [Measurement({"ns_per_pkt": v}) for v in (30.0, 40.0, 31.0)]}
        by = {(r.system, r.stat): r for r in aggregate(case, per)}
        diff = by[("ferry-direct", "median_pairwise_difference")]
        self.assertEqual(diff.runs, [370.0, 390.0, 379.0])
        self.assertEqual(diff.value, 379.0)
        self.assertEqual(diff.unit, "ns")
        self.assertAlmostEqual(by[("ferry/direct", "median_pairwise_ratio")].value, 410.0 / 31.0)

    def test_metric_missing_in_a_run_is_null(self):
        case = Case("s", "c", {}, ["ferry", "direct"], None)
        per = {"ferry": [Measurement({"ns_per_pkt": 10.0, "writes_per_cpu_s": None}),
                         Measurement({"ns_per_pkt": 12.0})],
               "direct": [Measurement({"ns_per_pkt": 5.0}), None]}
        rows = aggregate(case, per)
        by = {(r.system, r.metric): r for r in rows}
        self.assertEqual(by[("direct", "ns_per_pkt")].runs, [5.0, None])
        self.assertEqual(by[("ferry/direct", "ns_per_pkt")].runs, [2.0, None])
        self.assertNotIn(("ferry", "writes_per_cpu_s"), by)  # no run had a value


if __name__ == "__main__":
    unittest.main()
