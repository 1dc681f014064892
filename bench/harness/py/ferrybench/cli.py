"""Command line of the harness (scripts/bench runs it after building):

    python3 -m ferrybench [suite ...] [--quick] [--runs N] [--no-pin] [--build-dir DIR] [--out-root DIR]
    python3 -m ferrybench --list
    python3 -m ferrybench --report-only DIR      # re-render report.md and plots of a finished run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import sys
import time
from pathlib import Path

from . import env as envmod
from . import report
from .core import Ctx, Progress, is_root, run_case, snapshot_tools
from .procs import stop_all
from .results import read_rows, write_rows
from .suites import controlplane, dns, feed, l4, model

SUITES = {m.NAME: m for m in (model, controlplane, feed, l4, dns)}
NEEDS_ROOT = {"l4"}
TOOLS = {"model": ["ferry_bench_model"], "controlplane": ["ferry-bench", "ferry-controlplane"],
         "feed": ["ferry-bench", "ferry-controlplane"],
         "l4": ["ferry-bench"], "dns": ["ferry-dns"]}


def _raise_nofile() -> None:
    # 1000 watch connections per side: servers inherit this limit from us.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def make_plots(out: Path, suites: list[str]) -> dict:
    with open(out / "results.jsonl") as f:
        rows = list(read_rows(f))
    plot_dir = out / "plots"
    made = {}
    for name in suites:
        mod = SUITES.get(name)
        if mod is None:
            continue
        made[name] = [(t, str(p.relative_to(out))) for t, p in mod.plots(None, rows, plot_dir)]
    return made


def write_report(out: Path) -> Path:
    cases = json.loads((out / "cases.json").read_text())
    suites = list(dict.fromkeys(c["suite"] for c in cases))
    plots = make_plots(out, suites)
    docs = {n: SUITES[n].DESCRIPTION for n in suites if n in SUITES}
    text = report.render(out, docs, plots)
    path = out / "report.md"
    path.write_text(text)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="ferry-bench-harness", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("suites", nargs="*", help=f"suites to run (default: all: {', '.join(SUITES)})")
    ap.add_argument("--quick", action="store_true", help="fewer runs and smaller counts (CI smoke)")
    ap.add_argument("--runs", type=int, help="alternating runs per system (default 5, quick 2)")
    ap.add_argument("--warmup-rounds", type=int, help="discarded rounds first (default 1, quick 0)")
    ap.add_argument("--no-pin", action="store_true", help="do not pin server and client to CPUs")
    ap.add_argument("--build-dir", type=Path, help="build tree with the binaries (default build/release)")
    ap.add_argument("--out-root", type=Path, help="where run directories go (default build/bench)")
    ap.add_argument("--list", action="store_true", help="list suites and cases, run nothing")
    ap.add_argument("--report-only", type=Path, metavar="DIR", help="re-render DIR's report and plots")
    args = ap.parse_args(argv)

    root = Path(__file__).resolve().parents[4]
    if args.report_only:
        print(write_report(args.report_only))
        return 0

    suites = args.suites or list(SUITES)
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        ap.error(f"unknown suite(s) {', '.join(unknown)}; known: {', '.join(SUITES)}")
    build = args.build_dir or root / "build/release"
    out_root = args.out_root or root / "build/bench"
    runs = args.runs or (2 if args.quick else 5)
    if runs < 1:
        ap.error("--runs must be >= 1")
    warmup = args.warmup_rounds if args.warmup_rounds is not None else (0 if args.quick else 1)
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    log = Progress()

    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    out = out_root / stamp
    ctx = Ctx(root=root, build=build, out=out, tmp=out / "tmp", quick=args.quick, runs=runs,
              warmup_rounds=warmup, server_cpu=0 if pin else None, client_cpu=1 if pin else None, log=log)

    if args.list:
        for name in suites:
            if name == "model" and not ctx.built("ferry_bench_model").exists():
                print(f"{name}: (build ferry_bench_model to list its cases)")
                continue
            for c in SUITES[name].cases(ctx):
                print(f"{name}: {c.label or c.name}  params={json.dumps(c.params)}  systems={','.join(c.systems)}")
        return 0

    missing = [str(ctx.built(t)) for s in suites for t in TOOLS[s] if not ctx.built(t).exists()]
    if missing:
        print("missing binaries (build first, scripts/bench does): " + ", ".join(missing), file=sys.stderr)
        return 2

    _raise_nofile()
    signal.signal(signal.SIGTERM, _on_signal)
    out.mkdir(parents=True)
    ctx.tmp.mkdir()
    log(f"run directory {out} ({'quick' if args.quick else 'full'}: {runs} runs per system"
        f"{f', {warmup} warm-up round(s)' if warmup else ''}; "
        f"{'server on CPU 0, client on CPU 1' if pin else 'no CPU pinning'})")
    env = envmod.collect(root, {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "mode": "quick" if args.quick else "full", "runs": runs, "warmup_rounds": warmup,
        "suites": suites,
        "pinning": "system under test on CPU 0, ferry-bench on CPU 1" if pin else "none",
    })
    needed = list(dict.fromkeys(t for s in suites for t in TOOLS[s]))
    env["binaries"] = snapshot_tools(ctx, needed)
    log(f"measuring snapshots of {', '.join(needed)} (in {out / 'bin'})")
    (out / "env.json").write_text(json.dumps(env, indent=2) + "\n")

    all_rows, records, skipped = [], [], []
    t_start = time.monotonic()
    interrupted = False
    try:
        for name in suites:
            if name in NEEDS_ROOT and not is_root():
                skipped.append(f"{name}: needs root (bpf())")
                log(f"skipping suite {name}: needs root")
                continue
            log(f"suite {name}")
            for case in SUITES[name].cases(ctx):
                rows, rec = run_case(ctx, case)
                all_rows += rows
                records.append(rec.to_json())
                # Written after every case so an interrupted run keeps what it measured.
                write_rows(out / "results.jsonl", all_rows)
                (out / "cases.json").write_text(json.dumps(records, indent=1) + "\n")
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: stopping servers, writing what was measured")
    finally:
        stop_all()
        shutil.rmtree(ctx.tmp, ignore_errors=True)
        # The snapshots served the run; env.json keeps their sha256.
        shutil.rmtree(out / "bin", ignore_errors=True)

    env["loadavg_end"] = Path("/proc/loadavg").read_text().strip()
    env["duration_s"] = round(time.monotonic() - t_start, 1)
    env["skipped"] = skipped
    env["interrupted"] = interrupted
    (out / "env.json").write_text(json.dumps(env, indent=2) + "\n")
    if not (out / "results.jsonl").exists():
        write_rows(out / "results.jsonl", [])
        (out / "cases.json").write_text("[]\n")
    path = write_report(out)
    latest = out_root / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(out.name)
    failures = sum(len(r["failures"]) for r in records)
    log(f"done in {env['duration_s']} s: {len(all_rows)} rows, {failures} failed runs; report {path}")
    return 130 if interrupted else (1 if failures else 0)
