"""Suite `l4`: the eBPF fast path, first step: per-packet cost through BPF_PROG_TEST_RUN.

What is compared, exactly:
- ferry: the XDP load balancer (ebpf/bpf/lb_xdp.bpf.c) loaded as the agent would load it, with
  N ClusterIP services of 2 backends each in its maps (round robin, ferry's default), map
  capacities fixed at every N (131072 services, 262144 slots/backends/conntrack) so the curve
  shows the cost of the population, not of the table size.
- direct: bench/harness/bpf/xdp_pass.bpf.c, an XDP program returning XDP_PASS: the no-proxy
  limit, i.e. what the test-run machinery, the timer and an empty program cost.
Both get byte-identical packets (Ethernet/IPv4/TCP, 54 bytes). Two flow cases: `new_flow`
(every packet is the SYN of a new flow: service lookup, backend choice, conntrack entry created,
DNAT; a warm-up SYN has reached every targeted service first, so per-service state exists) and
`established` (ACKs of flows already in conntrack: service lookup, conntrack hit, DNAT). Two
traffic patterns: `hot10` sends to the same 10 services (spaced over the population) at every
size, isolating what the population itself costs; `spread` sends to every service (established:
max(4096, N) flows), adding the cache and TLB misses of a working set that large.
One packet per BPF_PROG_TEST_RUN call (repeat=1): with repeat=N the kernel reruns the same
buffer without restoring it, and lb_xdp's DNAT on the first run would send runs 2..N down the
"not a service" path. The metric is the mean of the kernel-reported durations (ns) over all
calls of a run; each run is a fresh process, so a fresh program and empty maps. About 25 ns
of every per-call figure is the test run's own fixed cost (the pass-through program takes
~5 ns per run with repeat=10000 but ~30 ns per call): `ferry − direct` is what ferry's
program adds per packet.

Programming time (case `program`): N ClusterIP Services with E endpoints each programmed from
empty. ferry: `ferry-bench program` loads the agent's socket-LB maps and times one
LbProjector::apply() of the whole snapshot (map writes through bpf()), and separately one
Service's endpoints replaced (`reprogram_one_s`). iptables / nftables: the nat rule sets
kube-proxy writes for the same Services (ferrybench/kube_proxy_rules.py, after kube-proxy 1.31's
proxiers), fed to `iptables-restore` and `nft -f` in a fresh network namespace each run (the
host's rules are never touched); the time is the restore command's wall time. iptables here is
iptables-nft (Debian's default backend), which is what kube-proxy's iptables mode drives on it.
Not measured yet (later sessions): real traffic through veth/netns, connection rates.
"""

from __future__ import annotations

from pathlib import Path

from .. import plot
from ..core import Case, Ctx, Measurement
import os
import subprocess
import time

from .. import kube_proxy_rules
from ..procs import MeasureError, run_json

NAME = "l4"
SYSTEMS = ["ferry", "direct"]
SCALES = [10, 1000, 10000, 100000]


def measure_xdp(params: dict):
    def measure(ctx: Ctx, system: str, run: int) -> Measurement:
        out = run_json([ctx.tool("ferry-bench"), "xdp", "--system", system, "--case", params["flow_case"],
                        "--services", params["services"], "--active-services", params["active_services"],
                        "--packets", params["packets"],
                        "--flows", params.get("flows", 1), "--max-seconds", 60],
                       timeout=180, cpu=ctx.client_cpu)
        tag = (f"{params['flow_case']}-{params['traffic']}-s{params['services']}-{system}-"
               f"{'warm' if run < 0 else run + 1}")
        ctx.save_raw(f"{NAME}-{tag}", out)
        if out["verdict_mismatches"] or out["warm_verdict_mismatches"]:
            raise MeasureError(f"{out['verdict_mismatches'] + out['warm_verdict_mismatches']} packets got "
                               f"verdict {out['last_bad_verdict']} instead of the forwarding one")
        notes = []
        if out["timed_out"]:
            notes.append(f"time bound hit after {out['packets']} packets")
        return Measurement({
            "ns_per_pkt": out["ns_per_pkt_mean"],
            "ns_per_pkt_p50": out["ns_per_pkt_p50"],
            "ns_per_pkt_p99": out["ns_per_pkt_p99"],
        }, notes)
    return measure


def measure_program(params: dict):
    def measure(ctx: Ctx, system: str, run: int) -> Measurement:
        n, e = params["services"], params["endpoints_per_service"]
        if system == "ferry":
            out = run_json([ctx.tool("ferry-bench"), "program", "--services", n, "--endpoints-per-service", e],
                           timeout=600, cpu=ctx.client_cpu)
            ctx.save_raw(f"{NAME}-program-s{n}-ferry-{'warm' if run < 0 else run + 1}", out)
            return Measurement({"program_s": out["full_seconds"], "reprogram_one_s": out["incremental_seconds"]})
        rules = ctx.tmp / f"kube-proxy-{system}-{n}x{e}.rules"
        if not rules.exists():
            text = (kube_proxy_rules.iptables_restore_input(n, e) if system == "iptables"
                    else kube_proxy_rules.nft_input(n, e))
            rules.write_text(text)
        tool = ["iptables-restore"] if system == "iptables" else ["nft", "-f", str(rules)]
        netns = f"fyb{os.getpid():x}-prog-{system}-{run + 100}"
        subprocess.run(["ip", "netns", "add", netns], check=True)
        try:
            with open(rules, "rb") as stdin:
                t0 = time.perf_counter()
                p = subprocess.run(["ip", "netns", "exec", netns, *tool],
                                   stdin=stdin if system == "iptables" else subprocess.DEVNULL,
                                   capture_output=True, timeout=900)
                elapsed = time.perf_counter() - t0
            if p.returncode != 0:
                raise MeasureError(f"{tool[0]} failed: {p.stderr.decode('utf-8', 'replace')[-500:]}")
        except subprocess.TimeoutExpired:
            raise MeasureError(f"{tool[0]} exceeded 900 s") from None
        finally:
            subprocess.run(["ip", "netns", "del", netns], check=False)
        return Measurement({"program_s": elapsed})
    return measure


# Traffic patterns: the same 10 services at every population (isolates what the population
# costs), or every service (adds the cache/TLB misses of a working set that large).
TRAFFIC = {"hot10": 10, "spread": 0}


def cases(ctx: Ctx) -> list[Case]:
    out = []
    for traffic, active in TRAFFIC.items():
        for flow_case in ("new_flow", "established"):
            for n in SCALES:
                p = {"services": n, "backends_per_service": 2, "flow_case": flow_case,
                     "traffic": traffic, "active_services": active or n,
                     "packets": 20000 if ctx.quick else 100000}
                if flow_case == "established":
                    p["flows"] = max(4096, active or n)
                out.append(Case(NAME, f"xdp_{flow_case}", p, list(SYSTEMS), measure_xdp(p),
                                label=f"xdp {flow_case} {traffic} services={n}", primary="ns_per_pkt"))
    for n in ([1000] if ctx.quick else [1000, 10000]):
        p = {"services": n, "endpoints_per_service": 10}
        out.append(Case(NAME, "program", p, ["ferry", "iptables", "nftables"], measure_program(p),
                        label=f"program services={n} endpoints={n * 10}", primary="program_s"))
    return out


def plots(ctx: Ctx, rows, plot_dir: Path) -> list[tuple[str, Path]]:
    made = []
    for traffic, what in (("hot10", "traffic to 10 services"),
                          ("spread", "traffic to every service")):
        series: dict[str, list] = {}
        for r in rows:
            if (r.suite != NAME or r.stat != "median" or r.metric != "ns_per_pkt"
                    or r.params.get("traffic") != traffic):
                continue
            runs = [x for x in r.runs if x is not None]
            name = f"{r.system} {r.case.removeprefix('xdp_')}"
            series.setdefault(name, []).append((r.params["services"], r.value, min(runs), max(runs)))
        if not series:
            continue
        path = plot_dir / f"l4_ns_per_pkt_{traffic}.svg"
        title = f"XDP per-packet cost, {what} (lower is better)"
        if plot.line_chart(path, title, "services in the maps", "ns per packet (log)",
                           dict(sorted(series.items())), logx=True, logy=True):
            made.append((title, path))
    return made


DESCRIPTION = __doc__
