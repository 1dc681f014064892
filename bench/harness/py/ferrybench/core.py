"""The harness's engine: cases, alternating runs, aggregation into results rows.

A suite is a list of cases. A case fixes its parameters (identical for every system, so rows
pair) and the systems it compares; the engine runs it round by round, every system once per
round in the same order (A B A B ...), each run from a clean state (the measure function starts
the system fresh and stops it), and turns the per-run metrics into rows: the median per system
and metric, and for every peer the median of the pairwise ratios reference/peer (and, for
per-packet costs, of the pairwise differences reference-peer).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import stats
from .procs import MeasureError
from .results import Row

# metric -> (unit, which way is better: "higher", "lower" or None for context-only metrics)
METRICS: dict[str, tuple[str, Optional[str]]] = {
    "writes_per_s": ("writes/s", "higher"),
    "writes_per_cpu_s": ("writes/CPU-s", "higher"),
    "p50_ms": ("ms", "lower"),
    "p99_ms": ("ms", "lower"),
    "p50_from_send_ms": ("ms", "lower"),
    "p99_from_send_ms": ("ms", "lower"),
    "server_cpu_s": ("CPU-s", None),
    "server_cpu_us_per_delivery": ("CPU-us/delivery", "lower"),
    "server_cpu_frac": ("CPU fraction", None),
    "client_cpu_frac": ("CPU fraction", None),
    "snapshot_ms": ("ms", "lower"),
    "snapshot_server_cpu_ms": ("CPU-ms/snapshot", "lower"),
    "populate_s": ("s", None),
    "errors": ("count", None),
    "missing": ("deliveries", None),
    "ns_per_pkt": ("ns", "lower"),
    "ns_per_pkt_p50": ("ns", "lower"),
    "ns_per_pkt_p99": ("ns", "lower"),
    "ns_per_op": ("ns", "lower"),
    "cpu_ns_per_op": ("ns", "lower"),
    "program_s": ("s", "lower"),
    "reprogram_one_s": ("s", "lower"),
    "qps": ("queries/s", "higher"),
    "queries_per_cpu_s": ("queries/CPU-s", "higher"),
    "mean_latency_ms": ("ms", "lower"),
    "lost": ("queries", None),
}


# Per-packet costs also get pairwise differences: ferry's ns minus the no-proxy floor's ns is
# what the proxy itself adds to every packet, which a ratio over a ~30 ns floor hides.
DIFF_METRICS = {"ns_per_pkt", "ns_per_pkt_p50"}


def unit_of(metric: str) -> str:
    return METRICS.get(metric, ("", None))[0]


def better_of(metric: str) -> Optional[str]:
    return METRICS.get(metric, ("", None))[1]


TOOL_PATHS = {
    "ferry-bench": "bench/harness/ferry-bench",
    "ferry-controlplane": "controlplane/server/ferry-controlplane",
    "ferry_bench_model": "bench/model/ferry_bench_model",
    "ferry-dns": "l7/dns/ferry-dns",
}


def snapshot_tools(ctx: "Ctx", names: list) -> dict:
    """Copies the binaries a run measures into <run>/bin (debug info stripped) and returns
    {name: {"sha256", "source", "source_mtime"}}. Other sessions rebuild build/release while a
    run is going; without the copy, a relinked ferry-controlplane would change what half of a
    case measures, or fail to start while the linker writes it."""
    bin_dir = ctx.out / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    info = {}
    tools = ctx.shared.setdefault("tools", {})
    for name in names:
        src = ctx.built(name)
        dst = bin_dir / name
        stripped = subprocess.run(["objcopy", "--strip-debug", str(src), str(dst)],
                                  capture_output=True, timeout=120)
        if stripped.returncode != 0:
            shutil.copy2(src, dst)
        dst.chmod(0o755)
        digest = hashlib.sha256(dst.read_bytes()).hexdigest()
        tools[name] = dst
        info[name] = {"sha256": digest, "source": str(src),
                      "source_mtime": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(src.stat().st_mtime))}
    return info


class Progress:
    """Progress lines on stderr: wall clock, time since start, message."""

    def __init__(self, quiet: bool = False):
        self.t0 = time.monotonic()
        self.quiet = quiet

    def __call__(self, msg: str) -> None:
        if self.quiet:
            return
        el = time.monotonic() - self.t0
        print(f"[bench {time.strftime('%H:%M:%S')} +{int(el) // 60:02d}:{int(el) % 60:02d}] {msg}",
              flush=True, file=sys.stderr)


@dataclass
class Ctx:
    root: Path        # repository
    build: Path       # build/<preset>
    out: Path         # this run's output directory
    tmp: Path         # scratch (server data dirs), removed at the end
    quick: bool
    runs: int         # alternating rounds per case
    warmup_rounds: int
    server_cpu: Optional[int]  # CPU the system under test is pinned to (None: not pinned)
    client_cpu: Optional[int]  # CPU ferry-bench is pinned to
    log: Progress
    shared: dict = field(default_factory=dict)  # per-run resources (the TLS certificate, ...)

    def built(self, name: str) -> Path:
        """Where the build tree has a tool."""
        return self.build / TOOL_PATHS[name]

    def tool(self, name: str) -> Path:
        """The tool as measured: the run's snapshot when one was taken (see snapshot_tools)."""
        snap = self.shared.get("tools", {}).get(name)
        return snap if snap is not None else self.built(name)

    def save_raw(self, name: str, data: dict) -> None:
        raw = self.out / "raw"
        raw.mkdir(exist_ok=True)
        with gzip.open(raw / f"{name}.json.gz", "wt", encoding="utf-8") as f:
            json.dump(data, f)


@dataclass
class Measurement:
    metrics: dict            # metric -> value (None when not meaningful in this run)
    notes: list = field(default_factory=list)  # flags for the report (client-bound, errors, ...)


MeasureFn = Callable[[Ctx, str, int], Measurement]


@dataclass
class Case:
    suite: str
    name: str
    params: dict
    systems: list           # in run order; the first is the reference for ratios
    measure: MeasureFn      # (ctx, system, run index) -> Measurement; run index -1 = warm-up
    label: str = ""         # short human label for progress lines and tables
    primary: str = ""       # metric shown in progress lines
    reference: str = "ferry"


@dataclass
class CaseRecord:
    """What the report needs to know about a case beyond its rows."""

    suite: str
    case: str
    params: dict
    systems: list
    label: str
    reference: str
    notes: list = field(default_factory=list)     # "system run i: note"
    failures: list = field(default_factory=list)  # "system run i: error"

    def to_json(self) -> dict:
        return self.__dict__.copy()


def run_case(ctx: Ctx, case: Case) -> tuple[list[Row], CaseRecord]:
    rec = CaseRecord(case.suite, case.name, case.params, list(case.systems), case.label or case.name,
                     case.reference)
    label = f"{case.suite} {case.label or case.name}"
    for w in range(ctx.warmup_rounds):
        for system in case.systems:
            ctx.log(f"{label}: warm-up {system}")
            try:
                case.measure(ctx, system, -1 - w)
            except MeasureError as e:
                ctx.log(f"{label}: warm-up {system} failed: {e}")
    per_system: dict[str, list[Optional[Measurement]]] = {s: [] for s in case.systems}
    for r in range(ctx.runs):
        for system in case.systems:
            try:
                m = case.measure(ctx, system, r)
            except MeasureError as e:
                rec.failures.append(f"{system} run {r + 1}: {e}")
                ctx.log(f"{label}: run {r + 1}/{ctx.runs} {system} FAILED: {e}")
                per_system[system].append(None)
                continue
            except Exception as e:  # noqa: BLE001 - a harness bug must not leave servers up
                traceback.print_exc()
                rec.failures.append(f"{system} run {r + 1}: harness error {e!r}")
                per_system[system].append(None)
                continue
            per_system[system].append(m)
            for n in m.notes:
                rec.notes.append(f"{system} run {r + 1}: {n}")
            shown = m.metrics.get(case.primary)
            shown_txt = f"{case.primary}={shown:.4g} {unit_of(case.primary)}" if shown is not None else ""
            ctx.log(f"{label}: run {r + 1}/{ctx.runs} {system} {shown_txt}"
                    + (f" [{'; '.join(m.notes)}]" if m.notes else ""))
    return aggregate(case, per_system), rec


def aggregate(case: Case, per_system: dict) -> list[Row]:
    """Per-run measurements -> median rows per system and pairwise-ratio rows vs the reference."""
    rows: list[Row] = []
    metric_names: list[str] = []
    for ms in per_system.values():
        for m in ms:
            if m is None:
                continue
            for k in m.metrics:
                if k not in metric_names:
                    metric_names.append(k)
    runs_of: dict[tuple[str, str], list] = {}
    for system, ms in per_system.items():
        for metric in metric_names:
            runs = [(m.metrics.get(metric) if m is not None else None) for m in ms]
            runs_of[(system, metric)] = runs
            present = [x for x in runs if x is not None]
            if not present:
                continue
            rows.append(Row(case.suite, case.name, case.params, system, metric, stats.median(present),
                            unit_of(metric), "median", runs))
    ref = case.reference
    if ref in per_system:
        for peer in per_system:
            if peer == ref:
                continue
            for metric in metric_names:
                if better_of(metric) is None:
                    continue
                a, b = runs_of[(ref, metric)], runs_of[(peer, metric)]
                paired = stats.pairwise(a, b, "ratio")
                present = [x for x in paired if x is not None]
                if not present:
                    continue
                rows.append(Row(case.suite, case.name, case.params, f"{ref}/{peer}", metric,
                                stats.median(present), "ratio", "median_pairwise_ratio", paired))
                if metric in DIFF_METRICS:
                    diffs = stats.pairwise(a, b, "difference")
                    present = [x for x in diffs if x is not None]
                    rows.append(Row(case.suite, case.name, case.params, f"{ref}-{peer}", metric,
                                    stats.median(present), unit_of(metric), "median_pairwise_difference",
                                    diffs))
    return rows


def cpu_note(frac: Optional[float], who: str, threshold: float = 0.9) -> Optional[str]:
    if frac is not None and frac >= threshold:
        return f"{who}-bound ({who} used {frac:.2f} of its CPU)"
    return None


def is_root() -> bool:
    return os.geteuid() == 0
