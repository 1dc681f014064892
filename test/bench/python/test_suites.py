"""Suite helpers that turn tool output into metrics."""

import unittest

from ferrybench.suites import controlplane, model


class ModelParseTest(unittest.TestCase):
    DOC = {"benchmarks": [
        {"name": "BM_MaglevBuild/100/16381", "run_name": "BM_MaglevBuild/100/16381",
         "run_type": "iteration", "real_time": 1.5, "cpu_time": 1.2, "time_unit": "ms"},
        {"name": "BM_SnapshotDiff/services:10000/changed:100", "run_type": "iteration",
         "real_time": 40.0, "cpu_time": 30.0, "time_unit": "us"},
        {"name": "BM_MaglevBuild/100/16381_median", "run_name": "BM_MaglevBuild/100/16381",
         "run_type": "aggregate", "real_time": 9.0, "cpu_time": 9.0, "time_unit": "ms"},
        {"name": "BM_Broken", "run_type": "iteration", "error_occurred": True,
         "real_time": 0, "cpu_time": 0, "time_unit": "ns"},
    ]}

    def test_iterations_in_ns_aggregates_skipped(self):
        out = model.parse_benchmark_json(self.DOC)
        self.assertEqual(set(out), {"BM_MaglevBuild/100/16381", "BM_SnapshotDiff/services:10000/changed:100"})
        self.assertEqual(out["BM_MaglevBuild/100/16381"], {"ns_per_op": 1.5e6, "cpu_ns_per_op": 1.2e6})
        self.assertEqual(out["BM_SnapshotDiff/services:10000/changed:100"]["ns_per_op"], 40000.0)

    def test_split_name(self):
        self.assertEqual(model.split_name("BM_SnapshotDiff/services:10000/changed:100/shared:1"),
                         ("BM_SnapshotDiff", {"services": 10000, "changed": 100, "shared": 1}))
        self.assertEqual(model.split_name("BM_MaglevBuild/1000/65537"),
                         ("BM_MaglevBuild", {"args": "1000/65537"}))
        self.assertEqual(model.split_name("BM_SnapshotBuildIncremental"), ("BM_SnapshotBuildIncremental", {}))


class ServerCpuTest(unittest.TestCase):
    def test_prefers_schedstat_when_it_agrees_with_ticks(self):
        cpu, notes = controlplane.server_cpu({"server_cpu_s": 0.52, "server_cpu_sched_s": 0.5213})
        self.assertEqual((cpu, notes), (0.5213, []))

    def test_falls_back_to_ticks_when_threads_exited(self):
        cpu, notes = controlplane.server_cpu({"server_cpu_s": 1.2, "server_cpu_sched_s": 0.4})
        self.assertEqual(cpu, 1.2)
        self.assertEqual(len(notes), 1)
        cpu, _ = controlplane.server_cpu({"server_cpu_s": 0.3, "server_cpu_sched_s": -1})
        self.assertEqual(cpu, 0.3)


if __name__ == "__main__":
    unittest.main()
