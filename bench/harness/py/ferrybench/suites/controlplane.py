"""Suite `controlplane`: ferry-controlplane's store writes and watch fan-out against etcd.

What is compared, exactly:
- ferry: ferry-controlplane's Kubernetes REST API. A write is `POST
  /api/v1/namespaces/bench/configmaps` of a ConfigMap JSON document over keep-alive HTTPS with a
  bearer token; it pays TLS, authentication and authorization, JSON decoding, admission
  (defaulting, validation), encoding, the embedded store's WAL append and fsync (group commit),
  and the JSON response. A watch is `GET .../configmaps?watch=1`, one HTTP/1.1 chunked stream
  per watcher.
- etcd: etcd 3.4's v3 JSON gateway on its client URL, over HTTPS with the same certificate.
  A write is `POST /v3/kv/put` of the *same ConfigMap document* as the value under the key
  kube-apiserver would use (/registry/configmaps/bench/<name>); etcd pays TLS, the gateway's
  JSON <-> gRPC translation (an in-process loopback gRPC call), raft (single member), its WAL
  fsync and the bbolt commit. No authentication, no admission: etcd is a store, not an API
  server. A watch is `POST /v3/watch` on the prefix, a chunked stream of JSON lines per watcher.
  This is the closest peer available here (there is no kube-apiserver on the machine); a
  kube-apiserver in front of etcd would add its own work on top of etcd's numbers.
Both servers get the same freshly generated ECDSA P-256 certificate, a fresh data directory
per run, and (unless --no-pin) one CPU: the server CPU 0, the client (ferry-bench) CPU 1.
Writes run twice: `storage=disk` (data on ext4: every fsync reaches the virtual disk, which
other tenants' I/O also loads) and `storage=tmpfs` (data under /dev/shm: fsync is free, so the
number is the CPU path of a write). Watches run on disk.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import plot, stats
from ..core import Case, Ctx, Measurement, cpu_note
from ..procs import MeasureError, Server, free_port, run_json, wait_until

NAME = "controlplane"
SYSTEMS = ["ferry", "etcd"]
NAMESPACE = "bench"


@dataclass
class Endpoint:
    api: str      # "kubernetes" or "etcd" (ferry-bench --api)
    port: int
    pid: int
    token: str
    ca: Path
    feed_port: int = 0     # the agents' gRPC feed (ferry, when asked for)
    agent_token: str = ""  # tokens.csv's system:nodes token (the node agent)


def tls_material(ctx: Ctx) -> tuple[Path, Path]:
    """One self-signed ECDSA P-256 certificate for 127.0.0.1, served by both systems."""
    if "tls" not in ctx.shared:
        d = ctx.tmp / "tls"
        d.mkdir(parents=True, exist_ok=True)
        cert, key = d / "tls.crt", d / "tls.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=ferry-bench",
             "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True, timeout=30)
        ctx.shared["tls"] = (cert, key)
    return ctx.shared["tls"]


def https_call(port: int, method: str, path: str, ca: Path, token: str = "", body: bytes = b"",
               timeout: float = 5.0) -> tuple[int, bytes]:
    sslctx = ssl.create_default_context(cafile=str(ca))
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=sslctx, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=body or None, headers=headers)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


SHM = Path("/dev/shm")


@contextlib.contextmanager
def system_under_test(ctx: Ctx, system: str, tag: str, storage: str = "disk"):
    """Starts `system` from an empty data directory; stops it and removes the directory after.

    storage "disk": the data directory is on the run directory's file system (ext4 here), so
    every fsync reaches the disk. "tmpfs": it is under /dev/shm, where fsync costs nothing,
    which leaves the CPU path of a write (and takes the neighbours' disk traffic out of it).
    """
    cert, key = tls_material(ctx)
    if storage not in ("disk", "tmpfs"):
        raise ValueError(f"unknown storage {storage}")
    base = ctx.tmp if storage == "disk" else SHM
    data = Path(tempfile.mkdtemp(prefix=f"ferry-bench-{system}-{tag}-", dir=base))
    port = free_port()
    feed_port = free_port()  # ferry serves its agents' feed by default: on a fresh port here
    log = ctx.out / "logs" / f"{NAME}-{system}-{tag}.log"
    try:
        if system == "ferry":
            srv = Server("ferry-controlplane", [
                ctx.tool("ferry-controlplane"), "--data-dir", data, "--bind-address", "127.0.0.1",
                "--secure-port", port, "--tls-cert-file", cert, "--tls-private-key-file", key,
                "--feed-port", feed_port, "--log-level", "warn"], log, cpu=ctx.server_cpu)
            with srv:
                tokens = data / "tokens.csv"
                wait_until(lambda: tokens.exists() and tokens.read_text().strip() != "", 30,
                           "waiting for ferry-controlplane's tokens.csv", server=srv)
                token = tokens.read_text().splitlines()[0].split(",")[0]
                wait_until(lambda: https_call(port, "GET", "/version", cert, token)[0] == 200, 30,
                           "waiting for ferry-controlplane to serve", server=srv)
                ns = json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": NAMESPACE}}).encode()
                status, body = https_call(port, "POST", "/api/v1/namespaces", cert, token, ns)
                if status != 201:
                    raise MeasureError(f"creating namespace {NAMESPACE}: HTTP {status} {body[:200]!r}")
                agent = next((ln.split(",")[0] for ln in tokens.read_text().splitlines()
                              if ln.endswith('"system:nodes"')), "")
                yield Endpoint("kubernetes", port, srv.pid, token, cert, feed_port, agent)
        elif system == "etcd":
            peer = free_port()
            srv = Server("etcd", [
                "etcd", "--name", "bench", "--data-dir", data / "etcd",
                "--listen-client-urls", f"https://127.0.0.1:{port}",
                "--advertise-client-urls", f"https://127.0.0.1:{port}",
                "--listen-peer-urls", f"http://127.0.0.1:{peer}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
                "--initial-cluster", f"bench=http://127.0.0.1:{peer}",
                "--initial-cluster-token", f"ferry-bench-{tag}",
                "--cert-file", cert, "--key-file", key,
                "--logger", "zap", "--log-outputs", "stderr", "--log-level", "warn"], log,
                cpu=ctx.server_cpu)
            with srv:
                wait_until(lambda: (lambda r: r[0] == 200 and b'"true"' in r[1])(
                    https_call(port, "GET", "/health", cert)), 30, "waiting for etcd to be healthy",
                    server=srv)
                yield Endpoint("etcd", port, srv.pid, "", cert)
        else:
            raise ValueError(f"unknown system {system}")
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _target_args(ep: Endpoint) -> list:
    args = ["--api", ep.api, "--port", ep.port, "--ca", ep.ca, "--server-pid", ep.pid,
            "--namespace", NAMESPACE]
    if ep.token:
        args += ["--token", ep.token]
    return args


def server_cpu(out: dict) -> tuple[float, list]:
    """The server's CPU seconds over the measured window: schedstat's ns-precise sum over live
    threads when it agrees with /proc/<pid>/stat's tick count (every thread, 10 ms ticks) within
    the ticks' resolution, else the tick count (a thread exited inside the window)."""
    ticks = out["server_cpu_s"]
    sched = out.get("server_cpu_sched_s", -1)
    if sched is not None and sched >= 0 and abs(sched - ticks) <= 0.025 + 0.05 * ticks:
        return sched, []
    return ticks, [f"server CPU from 10 ms ticks (schedstat {sched:.3f} s vs ticks {ticks:.3f} s)"]


def _tag(case: str, system: str, run: int) -> str:
    return f"{case}-{system}-{'warm' if run < 0 else run + 1}"


def measure_writes(params: dict):
    def measure(ctx: Ctx, system: str, run: int) -> Measurement:
        tag = _tag(f"writes-c{params['concurrency']}-{params['storage']}", system, run)
        with system_under_test(ctx, system, tag, params["storage"]) as ep:
            out = run_json([ctx.tool("ferry-bench"), "writes", *_target_args(ep),
                            "--concurrency", params["concurrency"], "--count", params["count"],
                            "--warmup", params["warmup"], "--max-seconds", params["max_seconds"],
                            "--object-bytes", params["object_bytes"]],
                           timeout=params["max_seconds"] + 90, cpu=ctx.client_cpu)
        lat = out.pop("latencies_us")
        out["latency_summary_us"] = stats.summarize(lat) if lat else None
        ctx.save_raw(f"{NAME}-{tag}", out)
        if out["completed"] == 0:
            raise MeasureError(f"no write succeeded: {out['first_error']}")
        elapsed = out["elapsed_s"]
        cpu, notes = server_cpu(out)
        m = {
            "writes_per_s": out["completed"] / elapsed,
            "p50_ms": stats.percentile_of_samples(lat, 50) / 1e3,
            "p99_ms": stats.percentile_of_samples(lat, 99) / 1e3,
            "server_cpu_s": cpu,
            "writes_per_cpu_s": out["completed"] / cpu if cpu > 0 else None,
            "server_cpu_frac": cpu / elapsed,
            "client_cpu_frac": out["client_cpu_s"] / elapsed,
            "errors": out["errors"] + out["warmup_errors"],
        }
        notes += [n for n in (cpu_note(m["client_cpu_frac"], "client"),) if n]
        if out["errors"] or out["warmup_errors"]:
            notes.append(f"{out['errors'] + out['warmup_errors']} errors, first: {out['first_error'][:160]}")
        if out["timed_out"]:
            notes.append(f"time bound hit after {out['completed']} of {params['count']} writes")
        return Measurement(m, notes)
    return measure


def measure_watch(params: dict):
    def measure(ctx: Ctx, system: str, run: int) -> Measurement:
        tag = _tag(f"watch-w{params['watchers']}", system, run)
        with system_under_test(ctx, system, tag) as ep:
            out = run_json([ctx.tool("ferry-bench"), "watch", *_target_args(ep),
                            "--watchers", params["watchers"], "--events", params["events"],
                            "--interval-ms", params["interval_ms"], "--max-seconds", params["max_seconds"],
                            "--object-bytes", params["object_bytes"]],
                           timeout=params["max_seconds"] + 90, cpu=ctx.client_cpu)
        lat = out.pop("latencies_ack_us")
        lat_send = out.pop("latencies_send_us")
        out["latency_ack_summary_us"] = stats.summarize(lat) if lat else None
        out["latency_send_summary_us"] = stats.summarize(lat_send) if lat_send else None
        ctx.save_raw(f"{NAME}-{tag}", out)
        if not lat:
            raise MeasureError(f"no event delivered ({out['phase_failed'] or 'unknown phase'}): "
                               f"{out['first_error']}")
        delivered = len(lat)
        cpu, notes = server_cpu(out)
        m = {
            "p50_ms": stats.percentile_of_samples(lat, 50) / 1e3,
            "p99_ms": stats.percentile_of_samples(lat, 99) / 1e3,
            "p50_from_send_ms": stats.percentile_of_samples(lat_send, 50) / 1e3,
            "p99_from_send_ms": stats.percentile_of_samples(lat_send, 99) / 1e3,
            "server_cpu_us_per_delivery": cpu * 1e6 / delivered,
            "server_cpu_frac": cpu / out["measured_s"] if out["measured_s"] > 0 else None,
            "client_cpu_frac": out["client_cpu_s"] / out["measured_s"] if out["measured_s"] > 0 else None,
            "missing": out["missing"],
        }
        notes += [n for n in (cpu_note(m["client_cpu_frac"], "client"),) if n]
        if out["missing"]:
            notes.append(f"{out['missing']} of {out['deliveries_expected']} deliveries missing "
                         f"({out['phase_failed'] or 'no phase failed'})")
        if out["write_errors"]:
            notes.append(f"{out['write_errors']} write errors: {out['first_error'][:160]}")
        return Measurement(m, notes)
    return measure


def cases(ctx: Ctx) -> list[Case]:
    q = ctx.quick
    out = []
    for storage in ("disk", "tmpfs"):
        for c in (1, 16):
            p = {"concurrency": c, "count": (300 if c == 1 else 1500) if q else (2000 if c == 1 else 10000),
                 "warmup": 30 if q else 100, "max_seconds": 10 if q else 40, "object_bytes": 256,
                 "storage": storage}
            out.append(Case(NAME, "writes", p, list(SYSTEMS), measure_writes(p),
                            label=f"writes C={c} {storage}", primary="writes_per_s"))
    for w in ((100,) if q else (100, 1000)):
        p = {"watchers": w, "events": 15 if q else (50 if w <= 100 else 30),
             "interval_ms": 20 if w <= 100 else 100, "max_seconds": 60 if w <= 100 else 120,
             "object_bytes": 256}
        out.append(Case(NAME, "watch_fanout", p, list(SYSTEMS), measure_watch(p),
                        label=f"watch fan-out W={w}", primary="p99_ms"))
    return out


def plots(ctx: Ctx, rows, plot_dir: Path) -> list[tuple[str, Path]]:
    made = []

    def key_of(r):
        if r.case == "writes":
            return f"C={r.params['concurrency']} {r.params.get('storage', 'disk')}"
        return f"W={r.params['watchers']}"

    med = {(r.case, key_of(r), r.system, r.metric): r
           for r in rows if r.suite == NAME and r.stat == "median"}

    def order(case):
        keys = {k for (c, k, _, _) in med if c == case}
        return sorted(keys, key=lambda k: (k.split()[-1] if case == "writes" else "",
                                           int(k.split()[0].split("=")[1])))

    def bars(case, metrics, title, ylabel, fname):
        cats, series = [], {s: [] for s in SYSTEMS}
        for k in order(case):
            for metric in metrics:
                if not any((case, k, s, metric) in med for s in SYSTEMS):
                    continue
                cats.append(f"{k} {metric.replace('_ms', '')}" if len(metrics) > 1 else k)
                for s in SYSTEMS:
                    r = med.get((case, k, s, metric))
                    runs = [x for x in (r.runs if r else []) if x is not None]
                    series[s].append((r.value, min(runs), max(runs)) if r and runs else None)
        if cats:
            path = plot_dir / fname
            if plot.bar_chart(path, title, ylabel, cats, series):
                made.append((title, path))

    bars("writes", ["writes_per_s"], "Create throughput (higher is better)", "writes/s",
         "controlplane_writes.svg")
    bars("writes", ["writes_per_cpu_s"], "Writes per server CPU-second (higher is better)",
         "writes per CPU-s", "controlplane_writes_per_cpu.svg")
    bars("writes", ["p50_ms", "p99_ms"], "Write latency (lower is better)", "ms",
         "controlplane_write_latency.svg")
    bars("watch_fanout", ["p50_ms", "p99_ms"],
         "Watch delivery latency after the write is acknowledged (lower is better)", "ms",
         "controlplane_watch_latency.svg")
    return made


DESCRIPTION = __doc__
