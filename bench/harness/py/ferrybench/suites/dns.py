"""Suite `dns`: ferry-dns against dnsmasq and Knot DNS, serving the same cluster names.

What is compared, exactly:
- One generated cluster: N Services over 10 namespaces (every tenth headless with 3 ready
  endpoints, the rest ClusterIP with a named port `http` 80/TCP). The same names and records
  go to every system: ferry-dns reads the Services and EndpointSlices (`--objects`); Knot
  3.2 serves `cluster.local` and `10.in-addr.arpa` from zone files written from the same model
  (A, SRV for the named port, PTR for cluster IPs, the `dns-version` TXT, SOA/NS); dnsmasq
  (what kube-dns used) gets them as a hosts file (which it hashes) and a `txt-record`, with
  `local=/cluster.local/` so it answers misses itself (NXDOMAIN) instead of forwarding. TTL 5 s
  everywhere; nothing is forwarded (no upstream is configured anywhere). dnsmasq gets no SRV
  records: it keeps `srv-host` entries in a list it walks for every query, so 10,000 of them
  take it from ~140k to ~15k queries/s whatever is asked; that measures a configuration
  nobody runs (kube-dns's dnsmasq only cached in front of kubedns), so SRV stays out of the
  mix and out of dnsmasq, while ferry-dns and Knot still hold every SRV record.
- The query mix is what a pod in namespace `ns0` with the usual `ndots:5` resolv.conf sends:
  for a lookup of `<svc>.<ns>`, A and AAAA for `<svc>.<ns>.ns0.svc.cluster.local` (NXDOMAIN,
  the search-path miss) then for `<svc>.<ns>.svc.cluster.local` (an answer, and NODATA for
  AAAA); for an external name, A and AAAA through all three search suffixes (NXDOMAIN);
  plus headless lookups (3 A records), PTRs of cluster IPs and the `dns-version` TXT. Before measuring, a sample of the mix is asked of every system over
  UDP and the runs stop if any system answers a query with another rcode or answer count.
- `dnsperf` (UDP) runs for a fixed time at full speed: queries/s, mean latency and lost
  queries; the server's CPU time (utime+stime of its process over the run) gives queries per
  CPU-second, the fair ratio on 2 cores. dnsperf's own CPU over its wall time is reported as
  the client's; near 1.0 per dnsperf thread the generator, not the server, set the rate. A second, short dnsperf pass at a fixed rate the
  slowest system sustains (`-Q`, verbose) gives per-query latency percentiles at equal load.
- `threads=1`: one serving thread each (ferry `--workers 1`, Knot `udp-workers: 1`, dnsmasq is
  single-threaded), the server pinned to CPU 0, dnsperf to CPU 1. `threads=all`: every
  core (ferry 2 workers, Knot 2 UDP workers, dnsmasq still one), nothing pinned, dnsperf with
  2 threads: the server and the generator share the machine, so queries/s there is a
  machine-level figure and queries per CPU-second remains the comparison.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import random
import re
import resource
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .. import plot, stats
from ..core import Case, Ctx, Measurement, cpu_note
from ..procs import MeasureError, Server, free_port, wait_until

NAME = "dns"
SYSTEMS = ["ferry", "dnsmasq", "knot"]
ZONE = "cluster.local"
CLIENT_NS = "ns0"
TTL = 5
TICKS = os.sysconf("SC_CLK_TCK")


# ---- the cluster, once, in every system's language ----------------------------------------

@dataclass
class Svc:
    ns: str
    name: str
    ip: str                     # cluster IP; "" for headless
    endpoints: list = field(default_factory=list)  # headless: ready endpoint IPs

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{self.ns}.svc.{ZONE}"


def make_cluster(services: int, namespaces: int = 10) -> list[Svc]:
    out = []
    for i in range(services):
        ns, name = f"ns{i % namespaces}", f"svc{i}"
        if i % 10 == 9:
            base = 0x0AF40000 + 3 * i  # 10.244.0.0/16
            eps = [str(ipaddress.IPv4Address(base + k)) for k in range(3)]
            out.append(Svc(ns, name, "", eps))
        else:
            out.append(Svc(ns, name, str(ipaddress.IPv4Address(0x0A600000 + 10 + i))))  # 10.96/12
    return out


def ferry_objects(cluster: list[Svc]) -> dict:
    """A kubectl-style List of the Services and the headless ones' EndpointSlices."""
    items = []
    for s in cluster:
        meta = {"name": s.name, "namespace": s.ns}
        if s.ip:
            spec = {"type": "ClusterIP", "clusterIP": s.ip, "clusterIPs": [s.ip],
                    "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}
        else:
            spec = {"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"],
                    "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}
        items.append({"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec})
        if s.endpoints:
            items.append({
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": f"{s.name}-1", "namespace": s.ns,
                             "labels": {"kubernetes.io/service-name": s.name}},
                "addressType": "IPv4",
                "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in s.endpoints],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]})
    return {"apiVersion": "v1", "kind": "List", "items": items}


def knot_zones(cluster: list[Svc]) -> dict[str, str]:
    """Zone files for Knot: {origin: text}."""
    soa = (f"@ {TTL} SOA ns.dns.{ZONE}. hostmaster.{ZONE}. 1 7200 1800 86400 {TTL}\n"
           f"@ {TTL} NS ns.dns.{ZONE}.\n")
    fwd = [f"$ORIGIN {ZONE}.", soa.rstrip("\n"), f'dns-version {TTL} TXT "1.0.1"',
           f"ns.dns {TTL} A 10.96.0.10"]
    rev = ["$ORIGIN 10.in-addr.arpa.", soa.rstrip("\n")]
    for s in cluster:
        rel = f"{s.name}.{s.ns}.svc"
        if s.ip:
            fwd.append(f"{rel} {TTL} A {s.ip}")
            fwd.append(f"_http._tcp.{rel} {TTL} SRV 0 100 80 {s.fqdn}.")
            o = s.ip.split(".")
            rev.append(f"{o[3]}.{o[2]}.{o[1]} {TTL} PTR {s.fqdn}.")
        else:
            for ip in s.endpoints:
                fwd.append(f"{rel} {TTL} A {ip}")
                dashed = ip.replace(".", "-")
                fwd.append(f"{dashed}.{rel} {TTL} A {ip}")
                fwd.append(f"_http._tcp.{rel} {TTL} SRV 0 33 8080 {dashed}.{s.fqdn}.")
    return {ZONE: "\n".join(fwd) + "\n", "10.in-addr.arpa": "\n".join(rev) + "\n"}


def dnsmasq_conf(cluster: list[Svc]) -> str:
    """Everything but the A records (those are in dnsmasq_hosts()): dnsmasq hashes hosts-file
    names, while it walks `host-record` lines one by one (10,000 of them cost it 2x)."""
    return "\n".join([f"local=/{ZONE}/", "local=/10.in-addr.arpa/", f"local-ttl={TTL}",
                      f"neg-ttl={TTL}", f"txt-record=dns-version.{ZONE},1.0.1"]) + "\n"


def dnsmasq_hosts(cluster: list[Svc]) -> str:
    """Hosts file: every A record; the first name of a line also gets the address's PTR."""
    lines = [f"10.96.0.10 ns.dns.{ZONE}"]
    for s in cluster:
        if s.ip:
            lines.append(f"{s.ip} {s.fqdn}")
        for ip in s.endpoints:
            lines.append(f"{ip} {s.fqdn}")
            lines.append(f"{ip} {ip.replace('.', '-')}.{s.fqdn}")
    return "\n".join(lines) + "\n"


def query_mix(cluster: list[Svc], count: int, seed: int = 1) -> list[str]:
    """dnsperf input lines ("name TYPE"), in the proportions a pod's resolver produces."""
    rng = random.Random(seed)
    clusterip = [s for s in cluster if s.ip]
    headless = [s for s in cluster if not s.ip]
    search = [f"{CLIENT_NS}.svc.{ZONE}", f"svc.{ZONE}", ZONE]
    out: list[str] = []
    while len(out) < count:
        roll = rng.random()
        if roll < 0.55:     # <svc>.<ns>: a miss on the first search suffix, then the answer
            s = rng.choice(clusterip)
            short = f"{s.name}.{s.ns}"
            for t in ("A", "AAAA"):
                out.append(f"{short}.{search[0]} {t}")
            for t in ("A", "AAAA"):
                out.append(f"{s.fqdn} {t}")
        elif roll < 0.75:   # an external name: every search suffix misses
            ext = f"host{rng.randrange(1000)}.example.com"
            for suffix in search:
                for t in ("A", "AAAA"):
                    out.append(f"{ext}.{suffix} {t}")
        elif roll < 0.88:
            out.append(f"{rng.choice(headless).fqdn} A")
        elif roll < 0.99:
            ip = rng.choice(clusterip).ip.split(".")
            out.append(f"{ip[3]}.{ip[2]}.{ip[1]}.{ip[0]}.in-addr.arpa PTR")
        else:
            out.append(f"dns-version.{ZONE} TXT")
    return out[:count]


# ---- a minimal DNS client for the equivalence check ---------------------------------------

QTYPES = {"A": 1, "NS": 2, "SOA": 6, "PTR": 12, "TXT": 16, "AAAA": 28, "SRV": 33}


def encode_query(name: str, qtype: str, qid: int) -> bytes:
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", QTYPES[qtype], 1)


def answer_shape(resp: bytes) -> tuple[int, int]:
    """(rcode, answer count) of a response."""
    if len(resp) < 12:
        raise ValueError("short response")
    flags, _, ancount = struct.unpack("!HHH", resp[2:8])
    return flags & 0xF, ancount


def ask(port: int, line: str, timeout: float = 1.0) -> tuple[int, int]:
    name, qtype = line.split()
    qid = random.randrange(65536)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(encode_query(name, qtype, qid), ("127.0.0.1", port))
        while True:
            data, _ = s.recvfrom(65535)
            if data[:2] == struct.pack("!H", qid):
                return answer_shape(data)


# ---- dnsperf -------------------------------------------------------------------------------

def parse_dnsperf(text: str) -> dict:
    """The summary dnsperf prints at the end."""
    def num(pattern: str) -> Optional[float]:
        m = re.search(pattern, text)
        return float(m.group(1)) if m else None

    out = {
        "sent": num(r"Queries sent:\s+(\d+)"),
        "completed": num(r"Queries completed:\s+(\d+)"),
        "lost": num(r"Queries lost:\s+(\d+)"),
        "run_s": num(r"Run time \(s\):\s+([\d.]+)"),
        "qps": num(r"Queries per second:\s+([\d.]+)"),
        "mean_latency_s": num(r"Average Latency \(s\):\s+([\d.]+)"),
        "rcodes": {},
    }
    m = re.search(r"Response codes:\s+(.*)", text)
    if m:
        for code, n in re.findall(r"([A-Z]+) (\d+) \(", m.group(1)):
            out["rcodes"][code] = int(n)
    if out["qps"] is None or out["completed"] is None:
        raise MeasureError(f"dnsperf printed no summary: {text[-400:]!r}")
    return out


def parse_verbose_latencies(text: str) -> list[float]:
    """Per-query latencies (s) from dnsperf -v lines: `> NOERROR name TYPE 0.000123`."""
    return [float(m) for m in re.findall(r"^> [A-Z]+ \S+ \S+ ([\d.]+)$", text, re.M)]


def process_cpu_s(pid: int) -> float:
    """utime+stime of a process (every thread), seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def run_dnsperf(argv: list, seconds: float, cpu: Optional[int]) -> tuple[str, float, float]:
    """Runs dnsperf to completion (bounded); returns its output, its own CPU seconds and its
    wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    try:
        p = subprocess.run([str(a) for a in argv], capture_output=True, timeout=seconds + 30,
                           preexec_fn=pin, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise MeasureError(f"dnsperf exceeded {seconds + 30:.0f} s") from None
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise MeasureError(f"dnsperf failed (exit {p.returncode}): {p.stderr.decode()[-400:]}")
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace"), used, wall


# ---- the systems under test ------------------------------------------------------------------

def cluster_files(ctx: Ctx, params: dict) -> dict:
    """Writes the cluster in every system's format once per case; returns the paths."""
    key = f"dns-files-{params['services']}"
    if key not in ctx.shared:
        d = ctx.tmp / key
        d.mkdir(parents=True, exist_ok=True)
        cluster = make_cluster(params["services"])
        (d / "objects.json").write_text(json.dumps(ferry_objects(cluster)))
        for origin, text in knot_zones(cluster).items():
            (d / f"{origin}.zone").write_text(text)
        (d / "dnsmasq.conf").write_text(dnsmasq_conf(cluster))
        (d / "dnsmasq.hosts").write_text(dnsmasq_hosts(cluster))
        mix = query_mix(cluster, 20000)
        (d / "queries.txt").write_text("\n".join(mix) + "\n")
        ctx.shared[key] = {"dir": d, "mix": mix}
    return ctx.shared[key]


def _knot_conf(d: Path, rundir: Path, port: int, workers: int, files: Path) -> Path:
    conf = d / "knot.conf"
    conf.write_text(f"""server:
    rundir: "{rundir}"
    listen: 127.0.0.1@{port}
    udp-workers: {workers}
    tcp-workers: 1
    background-workers: 1
database:
    storage: "{d}/db"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "{files}"
    semantic-checks: off
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: {ZONE}
    file: "{ZONE}.zone"
  - domain: 10.in-addr.arpa
    file: "10.in-addr.arpa.zone"
""")
    return conf


@contextlib.contextmanager
def system_under_test(ctx: Ctx, system: str, params: dict, tag: str):
    files = cluster_files(ctx, params)
    d = Path(tempfile.mkdtemp(prefix=f"ferry-bench-dns-{system}-", dir=ctx.tmp))
    # Knot's control socket lives in its rundir, and a Unix socket path has 108 bytes at most:
    # a short directory under /tmp, whatever the depth of the run directory.
    rundir = Path(tempfile.mkdtemp(prefix="ferry-knot-")) if system == "knot" else d
    port = free_port()
    workers = params["workers"]
    cpu = ctx.server_cpu if params["pinned"] else None
    log = ctx.out / "logs" / f"{NAME}-{tag}.log"
    try:
        if system == "ferry":
            argv = [ctx.tool("ferry-dns"), "--objects", files["dir"] / "objects.json",
                    "--listen", f"127.0.0.1:{port}", "--metrics-listen", f"127.0.0.1:{free_port()}",
                    "--upstream", "none", "--workers", workers, "--rrl-responses-per-second", 0,
                    "--ttl", TTL, "--log-level", "warn"]
        elif system == "dnsmasq":
            argv = ["dnsmasq", "--keep-in-foreground", "--conf-file=" + str(files["dir"] / "dnsmasq.conf"),
                    f"--port={port}", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                    "--no-hosts", "--addn-hosts=" + str(files["dir"] / "dnsmasq.hosts"), "--no-negcache",
                    "--pid-file=", "--user=" + (os.environ.get("USER") or "root")]
        elif system == "knot":
            argv = ["knotd", "-c", _knot_conf(d, rundir, port, workers, files["dir"])]
        else:
            raise ValueError(f"unknown system {system}")
        with Server(f"{system}", argv, log, cpu=cpu) as srv:
            probe = f"dns-version.{ZONE} TXT"
            wait_until(lambda: ask(port, probe, 0.2) == (0, 1), 30,
                       f"waiting for {system} to answer", server=srv)
            yield port, srv
    finally:
        shutil.rmtree(d, ignore_errors=True)
        if rundir != d:
            shutil.rmtree(rundir, ignore_errors=True)


def check_equivalence(ctx: Ctx, params: dict) -> None:
    """Every system gives the same (rcode, answer count) for a sample of the mix, once per case."""
    key = f"dns-equivalent-{params['services']}"
    if key in ctx.shared:
        return
    mix = cluster_files(ctx, params)["mix"]
    sample = list(dict.fromkeys(mix))[:300]
    shapes = {}
    for system in SYSTEMS:
        with system_under_test(ctx, system, params, f"equivalence-{system}") as (port, _):
            shapes[system] = [ask(port, q) for q in sample]
    diffs = [f"{q}: " + ", ".join(f"{s}={shapes[s][i]}" for s in SYSTEMS)
             for i, q in enumerate(sample) if len({shapes[s][i] for s in SYSTEMS}) > 1]
    if diffs:
        raise MeasureError(f"systems answer differently ({len(diffs)} of {len(sample)}): "
                           + "; ".join(diffs[:5]))
    ctx.shared[key] = True
    ctx.log(f"dns: all systems agree on {len(sample)} distinct queries of the mix")


def measure_dnsperf(params: dict):
    def measure(ctx: Ctx, system: str, run: int) -> Measurement:
        check_equivalence(ctx, params)
        files = cluster_files(ctx, params)
        tag = f"s{params['services']}-t{params['threads']}-{system}-{'warm' if run < 0 else run + 1}"
        client_cpu = ctx.client_cpu if params["pinned"] else None
        # -t 1: a lost query is given up after 1 s (not 5), so a run ends soon after its -l.
        base = ["dnsperf", "-s", "127.0.0.1", "-d", files["dir"] / "queries.txt", "-t", 1, "-T",
                params["client_threads"], "-c", params["clients"], "-q", params["outstanding"]]
        with system_under_test(ctx, system, params, tag) as (port, srv):
            cpu0 = process_cpu_s(srv.pid)
            text, client_cpu_s, client_wall_s = run_dnsperf(base + ["-p", port, "-l", params["seconds"]],
                                             params["seconds"], client_cpu)
            server_cpu_s = process_cpu_s(srv.pid) - cpu0
            lat_text, _, _ = run_dnsperf(base[:-4] + ["-c", 1, "-q", 100, "-p", port, "-l",
                                                   params["latency_seconds"], "-Q", params["latency_qps"],
                                                   "-v"], params["latency_seconds"], client_cpu)
            if not srv.alive():
                raise MeasureError(f"{system} exited during the run: {srv.log_tail()}")
        out = parse_dnsperf(text)
        lat = parse_verbose_latencies(lat_text)
        ctx.save_raw(f"{NAME}-{tag}", {"dnsperf": out, "server_cpu_s": server_cpu_s,
                                       "client_cpu_s": client_cpu_s,
                                       "latency_summary_us": stats.summarize([x * 1e6 for x in lat])
                                       if lat else None})
        run_s = out["run_s"] or params["seconds"]
        m = {
            "qps": out["qps"],
            "queries_per_cpu_s": out["completed"] / server_cpu_s if server_cpu_s > 0 else None,
            "mean_latency_ms": out["mean_latency_s"] * 1e3 if out["mean_latency_s"] is not None else None,
            "p50_ms": stats.percentile_of_samples(lat, 50) * 1e3 if lat else None,
            "p99_ms": stats.percentile_of_samples(lat, 99) * 1e3 if lat else None,
            "server_cpu_frac": server_cpu_s / run_s,
            "client_cpu_frac": client_cpu_s / client_wall_s,
            "lost": out["lost"],
        }
        notes = [n for n in (cpu_note(m["client_cpu_frac"] / params["client_threads"], "client"),) if n]
        if out["lost"]:
            notes.append(f"{int(out['lost'])} queries lost")
        notes.append("rcodes " + ",".join(f"{k}={v}" for k, v in sorted(out["rcodes"].items())))
        return Measurement(m, notes)
    return measure


def cases(ctx: Ctx) -> list[Case]:
    # Full: 10,000 Services on one thread and on every core, and 1,000 on one thread (dnsmasq's
    # cost per query grows with its number of names; Knot's and ferry's do not). Quick: 1,000.
    shapes = [(1000, "1"), (1000, "all")] if ctx.quick else [(10000, "1"), (10000, "all"), (1000, "1")]
    out = []
    for services, threads in shapes:
        all_cores = threads == "all"
        p = {"services": services, "threads": threads,
             "workers": (os.cpu_count() or 2) if all_cores else 1,
             "pinned": not all_cores, "client_threads": 2 if all_cores else 1, "clients": 8,
             "outstanding": 200, "seconds": 3 if ctx.quick else 10,
             "latency_seconds": 1 if ctx.quick else 3, "latency_qps": 20000}
        out.append(Case(NAME, "dnsperf", p, list(SYSTEMS), measure_dnsperf(p),
                        label=f"dnsperf S={services} threads={threads}", primary="queries_per_cpu_s"))
    return out


def plots(ctx: Ctx, rows, plot_dir: Path) -> list[tuple[str, Path]]:
    made = []
    def key_of(r):
        return f"S={r.params['services']} threads={r.params['threads']}"

    med = {(key_of(r), r.system, r.metric): r for r in rows if r.suite == NAME and r.stat == "median"}
    threads = sorted({k[0] for k in med})

    def bars(metric, title, ylabel, fname):
        cats, series = [], {s: [] for s in SYSTEMS}
        for t in threads:
            if not any((t, s, metric) in med for s in SYSTEMS):
                continue
            cats.append(t)
            for s in SYSTEMS:
                r = med.get((t, s, metric))
                runs = [x for x in (r.runs if r else []) if x is not None]
                series[s].append((r.value, min(runs), max(runs)) if r and runs else None)
        if cats:
            path = plot_dir / fname
            if plot.bar_chart(path, title, ylabel, cats, series):
                made.append((title, path))

    bars("queries_per_cpu_s", "Queries per server CPU-second (higher is better)", "queries/CPU-s",
         "dns_queries_per_cpu.svg")
    bars("qps", "Queries per second, dnsperf at full speed (higher is better)", "queries/s", "dns_qps.svg")
    bars("p99_ms", "p99 latency at a fixed rate (lower is better)", "ms", "dns_p99.svg")
    return made


DESCRIPTION = __doc__
