"""Suite `feed`: how fast a change reaches the node agents — ferry's gRPC agents' feed against
the REST list+watch kube-proxy uses, both served by the same ferry-controlplane.

What is compared, exactly:
- ferry: the agents' feed (`ferry.feed.v1.Feed/Subscribe`, gRPC over TLS, the node agents'
  bearer token from tokens.csv). A new agent's snapshot is a `FeedClient` (the agent's own
  client) from connect until its `FeedState` holds the full snapshot (Services and
  EndpointSlices). Fan-out agents are gRPC callback-API streams, one channel (one TCP/TLS
  connection) per agent, that resume from the revision after population: no snapshot each, as
  an agent that reconnects gets, and as a running agent is.
- rest-watch: the same ferry-controlplane's Kubernetes REST API, used the way kube-proxy uses
  kube-apiserver, with the same token. A new agent's snapshot is kube-proxy's initial sync: LIST
  /api/v1/services and LIST /apis/discovery.k8s.io/v1/endpointslices on two connections at once,
  until both bodies are read (not decoded: this favours rest-watch). Fan-out agents each hold
  one `GET /api/v1/services?watch=1&resourceVersion=<after population>` stream (kube-proxy holds
  a second one for EndpointSlices, idle here: this also favours rest-watch).
Same server binary, same population, same writer: S selector-less Services and S EndpointSlices
of E endpoints each, created through the REST API from 16 connections; then one unmeasured
update of Service svc-0 that every agent must receive (proves every stream is live), then K
merge-patches of svc-0's annotations at a fixed interval. Latency = time an agent received the
update (matched by the object's revision) − time the PATCH was acknowledged (p50_ms, p99_ms)
or sent (…_from_send_ms), over every (agent, update) pair; the server's CPU over that window per
delivered update. Data directory on tmpfs (population speed; fsync is not what is measured).
No etcd here: etcd's own watch fan-out is the controlplane suite's watch_fanout case; agents do
not talk to etcd.
"""

from __future__ import annotations

from pathlib import Path

from .. import plot, stats
from ..core import Case, Ctx, Measurement, cpu_note
from ..procs import MeasureError, run_json
from .controlplane import NAMESPACE, _tag, server_cpu, system_under_test

NAME = "feed"
SYSTEMS = ["ferry", "rest-watch"]
MODE = {"ferry": "feed", "rest-watch": "rest"}


def to_measurement(out: dict, lat: list, lat_send: list) -> Measurement:
    """One `ferry-bench feed` result (latency lists already taken out) -> metrics and notes."""
    if not lat:
        raise MeasureError(f"no update delivered ({out.get('phase_failed') or 'unknown phase'}): "
                           f"{out.get('first_error', '')[:300]}")
    cpu, notes = server_cpu(out)
    snap_cpu, snap_notes = server_cpu({"server_cpu_s": out["snapshot_server_cpu_s"],
                                       "server_cpu_sched_s": out["snapshot_server_cpu_sched_s"]})
    snaps = out["snapshot_ms"]
    m = {
        "p50_ms": stats.percentile_of_samples(lat, 50) / 1e3,
        "p99_ms": stats.percentile_of_samples(lat, 99) / 1e3,
        "p50_from_send_ms": stats.percentile_of_samples(lat_send, 50) / 1e3,
        "p99_from_send_ms": stats.percentile_of_samples(lat_send, 99) / 1e3,
        "snapshot_ms": stats.median(snaps),
        "snapshot_server_cpu_ms": snap_cpu * 1e3 / len(snaps),
        "server_cpu_us_per_delivery": cpu * 1e6 / len(lat),
        "server_cpu_frac": cpu / out["measured_s"] if out["measured_s"] > 0 else None,
        "client_cpu_frac": out["client_cpu_s"] / out["measured_s"] if out["measured_s"] > 0 else None,
        "populate_s": out["populate_s"],
        "missing": out["missing"],
    }
    notes += [n for n in (cpu_note(m["client_cpu_frac"], "client"),) if n]
    notes += [f"snapshot: {n}" for n in snap_notes]
    if out["missing"]:
        notes.append(f"{out['missing']} of {out['deliveries_expected']} deliveries missing "
                     f"({out['phase_failed'] or 'no phase failed'})")
    if out.get("quiesced") is False or out.get("quiesced_after_snapshot") is False:
        notes.append("the server never went quiet (< 5 % CPU) before measuring")
    if out.get("unexpected_snapshots"):
        notes.append(f"{out['unexpected_snapshots']} fan-out agents got a full snapshot "
                     "(resume refused)")
    if out["write_errors"] or out["snapshot_errors"]:
        notes.append(f"{out['write_errors']} write / {out['snapshot_errors']} snapshot errors: "
                     f"{out['first_error'][:160]}")
    return Measurement(m, notes)


def measure_propagation(params: dict):
    def measure(ctx: Ctx, system: str, run: int) -> Measurement:
        tag = _tag(f"feed-a{params['agents']}-s{params['services']}", system, run)
        with system_under_test(ctx, "ferry", tag, "tmpfs") as ep:
            if not ep.agent_token:
                raise MeasureError("no system:nodes token in tokens.csv")
            out = run_json([ctx.tool("ferry-bench"), "feed", "--api", "kubernetes",
                            "--port", ep.port, "--ca", ep.ca, "--server-pid", ep.pid,
                            "--namespace", NAMESPACE, "--token", ep.token,
                            "--mode", MODE[system], "--feed-port", ep.feed_port,
                            "--agent-token", ep.agent_token,
                            "--agents", params["agents"], "--services", params["services"],
                            "--endpoints-per-service", params["endpoints_per_service"],
                            "--events", params["events"], "--interval-ms", params["interval_ms"],
                            "--snapshot-agents", params["snapshot_agents"],
                            "--max-seconds", params["max_seconds"]],
                           timeout=params["max_seconds"] + 90, cpu=ctx.client_cpu)
        lat = out.pop("latencies_ack_us")
        lat_send = out.pop("latencies_send_us")
        out["latency_ack_summary_us"] = stats.summarize(lat) if lat else None
        out["latency_send_summary_us"] = stats.summarize(lat_send) if lat_send else None
        ctx.save_raw(f"{NAME}-{tag}", out)
        return to_measurement(out, lat, lat_send)
    return measure


def cases(ctx: Ctx) -> list[Case]:
    if ctx.quick:
        sizes = [(20, 200, 10, 15, 50, 3, 90)]
    else:
        # agents, services, endpoints per service, events, interval ms, snapshot agents, bound s
        sizes = [(100, 10000, 10, 30, 50, 5, 300), (1000, 10000, 10, 30, 100, 5, 420)]
    out = []
    for agents, services, eps, events, interval, snap_agents, bound in sizes:
        p = {"agents": agents, "services": services, "endpoints_per_service": eps,
             "endpoints": services * eps, "events": events, "interval_ms": interval,
             "snapshot_agents": snap_agents, "max_seconds": bound}
        out.append(Case(NAME, "propagation", p, list(SYSTEMS), measure_propagation(p),
                        label=f"feed N={agents} S={services}", primary="p99_ms"))
    return out


def plots(ctx: Ctx, rows, plot_dir: Path) -> list[tuple[str, Path]]:
    made = []
    med = {(f"N={r.params['agents']} S={r.params['services']}", r.system, r.metric): r
           for r in rows if r.suite == NAME and r.stat == "median"}
    keys = sorted({k for (k, _, _) in med}, key=lambda k: (int(k.split()[1][2:]), int(k.split()[0][2:])))

    def bars(metrics, title, ylabel, fname):
        cats, series = [], {s: [] for s in SYSTEMS}
        for k in keys:
            for metric in metrics:
                if not any((k, s, metric) in med for s in SYSTEMS):
                    continue
                cats.append(f"{k} {metric.replace('_ms', '')}" if len(metrics) > 1 else k)
                for s in SYSTEMS:
                    r = med.get((k, s, metric))
                    runs = [x for x in (r.runs if r else []) if x is not None]
                    series[s].append((r.value, min(runs), max(runs)) if r and runs else None)
        if cats:
            path = plot_dir / fname
            if plot.bar_chart(path, title, ylabel, cats, series):
                made.append((title, path))

    bars(["p50_ms", "p99_ms"], "Update delivered to agents after the write is acknowledged "
         "(lower is better)", "ms", "feed_latency.svg")
    bars(["snapshot_ms"], "Full snapshot for a new agent (lower is better)", "ms",
         "feed_snapshot.svg")
    return made


DESCRIPTION = __doc__
