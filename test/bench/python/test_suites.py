"""Suite helpers that turn tool output into metrics."""

import unittest

from ferrybench.procs import MeasureError
from ferrybench.suites import controlplane, feed, model


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


class FeedMeasurementTest(unittest.TestCase):
    OUT = {"server_cpu_s": 0.5, "server_cpu_sched_s": 0.5, "snapshot_server_cpu_s": 0.3,
           "snapshot_server_cpu_sched_s": 0.3, "snapshot_ms": [30.0, 10.0, 20.0],
           "measured_s": 2.0, "client_cpu_s": 0.4, "populate_s": 1.5, "missing": 0,
           "deliveries_expected": 4, "phase_failed": "", "write_errors": 0, "snapshot_errors": 0,
           "first_error": "", "unexpected_snapshots": 0}

    def test_metrics(self):
        m = feed.to_measurement(dict(self.OUT), [1000.0, 2000.0, 3000.0, 4000.0],
                                [2000.0, 3000.0, 4000.0, 5000.0])
        self.assertAlmostEqual(m.metrics["p50_ms"], 2.5)
        self.assertAlmostEqual(m.metrics["p50_from_send_ms"], 3.5)
        self.assertAlmostEqual(m.metrics["snapshot_ms"], 20.0)
        self.assertAlmostEqual(m.metrics["snapshot_server_cpu_ms"], 100.0)
        self.assertAlmostEqual(m.metrics["server_cpu_us_per_delivery"], 0.5e6 / 4)
        self.assertAlmostEqual(m.metrics["server_cpu_frac"], 0.25)
        self.assertEqual(m.notes, [])

    def test_missing_and_no_delivery(self):
        out = dict(self.OUT, missing=2, phase_failed="waiting for deliveries (deadline)")
        m = feed.to_measurement(out, [1000.0, 2000.0], [1000.0, 2000.0])
        self.assertIn("2 of 4 deliveries missing", m.notes[0])
        with self.assertRaises(MeasureError):
            feed.to_measurement(dict(self.OUT, phase_failed="populating"), [], [])

    def test_cases_pair_and_sizes(self):
        class Ctx:
            quick = False
        full = feed.cases(Ctx())
        self.assertEqual([(c.params["agents"], c.params["services"], c.params["endpoints"]) for c in full],
                         [(100, 10000, 100000), (1000, 10000, 100000)])
        self.assertTrue(all(c.systems == ["ferry", "rest-watch"] for c in full))
        Ctx.quick = True
        self.assertEqual([c.params["agents"] for c in feed.cases(Ctx())], [20])


class DnsSuiteTest(unittest.TestCase):
    SUMMARY = """Statistics:

  Queries sent:         626211
  Queries completed:    626200 (100.00%)
  Queries lost:         11 (0.00%)

  Response codes:       NOERROR 500969 (80.00%), NXDOMAIN 125231 (20.00%)
  Run time (s):         3.000200
  Queries per second:   208723.085128

  Average Latency (s):  0.000336 (min 0.000010, max 0.003977)
"""

    def test_parse_dnsperf_summary(self):
        from ferrybench.suites import dns
        out = dns.parse_dnsperf(self.SUMMARY)
        self.assertEqual(out["completed"], 626200)
        self.assertEqual(out["lost"], 11)
        self.assertAlmostEqual(out["qps"], 208723.085128)
        self.assertAlmostEqual(out["mean_latency_s"], 0.000336)
        self.assertEqual(out["rcodes"], {"NOERROR": 500969, "NXDOMAIN": 125231})

    def test_parse_dnsperf_without_summary_is_an_error(self):
        from ferrybench.suites import dns
        with self.assertRaises(MeasureError):
            dns.parse_dnsperf("[Status] Sending queries\n")

    def test_verbose_latencies(self):
        from ferrybench.suites import dns
        text = ("> NOERROR web.default.svc.cluster.local A 0.000283\n"
                "> NXDOMAIN x.default.svc.cluster.local AAAA 0.000118\n"
                "[Status] Testing complete\n")
        self.assertEqual(dns.parse_verbose_latencies(text), [0.000283, 0.000118])

    def test_every_system_gets_the_same_names(self):
        from ferrybench.suites import dns
        cluster = dns.make_cluster(40)
        zones = dns.knot_zones(cluster)
        conf = dns.dnsmasq_conf(cluster)
        hosts = dns.dnsmasq_hosts(cluster)
        objects = dns.ferry_objects(cluster)
        names = {(i["metadata"]["namespace"], i["metadata"]["name"])
                 for i in objects["items"] if i["kind"] == "Service"}
        self.assertEqual(len(names), 40)
        for s in cluster:
            if s.ip:
                self.assertIn(f"{s.name}.{s.ns}.svc 5 A {s.ip}", zones[dns.ZONE])
                self.assertIn(f"{s.ip} {s.fqdn}\n", hosts)
            else:
                self.assertEqual(len(s.endpoints), 3)
                for ip in s.endpoints:
                    self.assertIn(f"{ip} {s.fqdn}\n", hosts)
                    self.assertIn(f"{s.name}.{s.ns}.svc 5 A {ip}", zones[dns.ZONE])
        self.assertNotIn("srv-host", conf)  # see the suite's docstring
        slices = [i for i in objects["items"] if i["kind"] == "EndpointSlice"]
        self.assertEqual(len(slices), sum(1 for s in cluster if not s.ip))

    def test_query_mix_is_deterministic_and_mostly_misses(self):
        from ferrybench.suites import dns
        cluster = dns.make_cluster(100)
        a = dns.query_mix(cluster, 2000, seed=7)
        self.assertEqual(a, dns.query_mix(cluster, 2000, seed=7))
        self.assertEqual(len(a), 2000)
        misses = sum(1 for q in a if f".{dns.CLIENT_NS}.svc." in q or ".example.com." in q)
        self.assertGreater(misses / len(a), 0.4)  # ndots:5 search-path misses dominate
        self.assertFalse(any(q.endswith(" SRV") for q in a))

    def test_query_encoding_round_trip_shape(self):
        from ferrybench.suites import dns
        q = dns.encode_query("web.default.svc.cluster.local", "AAAA", 0x1234)
        self.assertEqual(q[:2], b"\x12\x34")
        self.assertEqual(q[-4:], b"\x00\x1c\x00\x01")
        # A response header with rcode 3 and no answers.
        self.assertEqual(dns.answer_shape(b"\x12\x34\x81\x83\x00\x01\x00\x00\x00\x00\x00\x00"), (3, 0))
