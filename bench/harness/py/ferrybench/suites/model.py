"""Suite `model`: component micro-benchmarks of the shared L4 model (bench/model, Google
Benchmark: Maglev table builds, snapshot diffs and builds). System `ferry` only; no peer runs
the same code, so these rows have no ratios: they track ferry against itself over time.

Each run is one invocation of ferry_bench_model (--benchmark_format=json); a benchmark's value
for the run is its real (wall) time per iteration in ns (`ns_per_op`) and CPU time per
iteration (`cpu_ns_per_op`). Parameters are the benchmark's arguments as Google Benchmark
names them (e.g. "100/16381" = backends/table size for BM_MaglevBuild).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..core import Case, Ctx, Measurement
from ..procs import MeasureError, run_json

NAME = "model"
SYSTEMS = ["ferry"]

_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def parse_benchmark_json(doc: dict) -> dict[str, dict]:
    """Google Benchmark JSON -> {benchmark name: {"ns_per_op": .., "cpu_ns_per_op": ..}}.

    Aggregate rows (mean/median/stddev of repetitions) are skipped: repetitions are the
    harness's runs, and it aggregates them itself.
    """
    out = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        scale = _UNIT_NS.get(b.get("time_unit", "ns"))
        if scale is None:
            continue
        name = b.get("run_name", b["name"])
        out[name] = {"ns_per_op": b["real_time"] * scale, "cpu_ns_per_op": b["cpu_time"] * scale}
    return out


def split_name(name: str) -> tuple[str, dict]:
    """"BM_SnapshotDiff/services:10000/changed:100" -> ("BM_SnapshotDiff", {...});
    unnamed arguments ("BM_MaglevBuild/100/16381") become {"args": "100/16381"}."""
    parts = name.split("/")
    family, rest = parts[0], parts[1:]
    params: dict = {}
    unnamed = []
    for p in rest:
        if ":" in p:
            k, v = p.split(":", 1)
            params[k] = int(v) if v.lstrip("-").isdigit() else v
        else:
            unnamed.append(p)
    if unnamed:
        params["args"] = "/".join(unnamed)
    return family, params


def cases(ctx: Ctx) -> list[Case]:
    """One case per benchmark. The binary runs every benchmark in one invocation: the first case
    to ask for run r invokes it and keeps the results of run r for the other cases."""
    binary = ctx.tool("ferry_bench_model")
    min_time = "0.05" if ctx.quick else "0.3"
    cache: dict[int, dict] = {}

    def invocation(run: int) -> dict:
        if run not in cache:
            doc = run_json([binary, "--benchmark_format=json", f"--benchmark_min_time={min_time}"],
                           timeout=600, cpu=ctx.client_cpu)
            ctx.save_raw(f"{NAME}-run{'warm' if run < 0 else run + 1}", doc)
            cache[run] = parse_benchmark_json(doc)
        return cache[run]

    listing = run_json_list(binary)
    out = []
    for name in listing:
        family, params = split_name(name)

        def measure(ctx: Ctx, system: str, run: int, name=name) -> Measurement:
            res = invocation(run)
            if name not in res:
                raise MeasureError(f"{name} missing from ferry_bench_model's output")
            return Measurement(dict(res[name]))
        out.append(Case(NAME, family, params, list(SYSTEMS), measure, label=name, primary="ns_per_op"))
    return out


def run_json_list(binary: Path) -> list[str]:
    p = subprocess.run([str(binary), "--benchmark_list_tests"], capture_output=True, timeout=60)
    if p.returncode != 0:
        raise MeasureError(f"ferry_bench_model --benchmark_list_tests failed: {p.stderr[-400:]!r}")
    return [line.strip() for line in p.stdout.decode().splitlines() if line.strip()]


def plots(ctx: Ctx, rows, plot_dir: Path) -> list[tuple[str, Path]]:
    return []


DESCRIPTION = __doc__
