"""report.md: ratio tables per suite, context metrics, flags and failures, plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from . import stats
from .core import METRICS, better_of
from .results import Row, params_key, read_rows

DIRECTION = {"higher": "higher is better", "lower": "lower is better"}


def fmt(x: Optional[float]) -> str:
    """3-4 significant digits, no exponent for the magnitudes reports carry."""
    if x is None:
        return "–"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def cell(row: Optional[Row]) -> str:
    """median [p25–p75] of the row's runs."""
    if row is None:
        return "–"
    runs = [x for x in row.runs if x is not None]
    if len(runs) >= 2:
        lo, hi = stats.iqr(runs)
        return f"{fmt(row.value)} [{fmt(lo)}–{fmt(hi)}]"
    return fmt(row.value)


def ratio_cell(row: Optional[Row]) -> str:
    """median of the pairwise ratios [min–max over pairs]."""
    if row is None:
        return "–"
    runs = [x for x in row.runs if x is not None]
    if len(runs) >= 2:
        return f"{row.value:.2f}× [{min(runs):.2f}–{max(runs):.2f}]"
    return f"{row.value:.2f}×"


def diff_cell(row: Optional[Row]) -> str:
    """median of the pairwise differences [min–max over pairs]."""
    if row is None:
        return "–"
    runs = [x for x in row.runs if x is not None]
    if len(runs) >= 2:
        return f"{fmt(row.value)} [{fmt(min(runs))}–{fmt(max(runs))}]"
    return fmt(row.value)


def verdict(row: Optional[Row], metric: str, reference: str) -> str:
    """Which side of 1 the pairwise ratios fall on, in words; 'mixed' when pairs disagree."""
    if row is None or row.value is None:
        return ""
    runs = [x for x in row.runs if x is not None]
    better = better_of(metric)
    if better is None:
        return ""
    good = (lambda r: r > 1.0) if better == "higher" else (lambda r: r < 1.0)
    v = row.value
    if 0.95 <= v <= 1.05:
        return "within 5 %"
    side = f"{reference} ahead" if good(v) else f"{reference} behind"
    if runs and not all(good(r) == good(v) for r in runs):
        side += " (pairs disagree)"
    return side


def fmt_params(params: dict, skip: tuple = ()) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items() if k not in skip) or "–"


def render(out_dir: Path, suite_docs: dict, plots: dict) -> str:
    out_dir = Path(out_dir)
    with open(out_dir / "results.jsonl") as f:
        rows = list(read_rows(f))
    cases = json.loads((out_dir / "cases.json").read_text())
    env = json.loads((out_dir / "env.json").read_text())
    by_key: dict = {}
    for r in rows:
        by_key[(r.suite, r.case, params_key(r.params), r.system, r.metric, r.stat)] = r

    lines: list[str] = []
    w = lines.append
    v = env.get("versions", {})
    ferry = v.get("ferry", {})
    w(f"# ferry benchmark report — {env.get('started', '')}")
    w("")
    w(f"Mode **{env.get('mode')}**: {env.get('runs')} alternating runs per system and case "
      f"(A B A B …){', after ' + str(env.get('warmup_rounds')) + ' discarded warm-up round(s)' if env.get('warmup_rounds') else ''}. "
      f"Pinning: {env.get('pinning')}.")
    w("")
    w(f"Machine: {env.get('cpu_model')}, {env.get('cpus')} CPUs, {env.get('mem_total_gib')} GiB, "
      f"Linux {env.get('kernel')} (clocksource {env.get('clocksource')}). "
      f"ferry {str(ferry.get('git_rev'))[:12]}{' (dirty tree)' if ferry.get('dirty') else ''}, "
      f"etcd {v.get('etcd')}, {v.get('compiler')}. Load average at start: {env.get('loadavg_start')}, "
      f"at end: {env.get('loadavg_end')}.")
    w("")
    bins = env.get("binaries") or {}
    if bins:
        w("Binaries measured (copied from the build tree when the run started): "
          + ", ".join(f"`{n}` sha256 {b['sha256'][:12]} (built {b['source_mtime']})" for n, b in bins.items())
          + ".")
        w("")
    w("How to read the tables: each system cell is the **median of the runs [25th–75th "
      "percentile]**. Ratio cells are **ferry/peer computed pair by pair** (run i of ferry over "
      "run i of the peer, taken back to back) and summarised as median [min–max over pairs]. "
      "Whether a ratio above 1 is good depends on the metric (the *better* column). For "
      "per-packet costs, *ferry − peer* is the pairwise difference (median [min–max]): what "
      "ferry adds to every packet over the peer.")
    w("")

    for suite in dict.fromkeys(c["suite"] for c in cases):
        scases = [c for c in cases if c["suite"] == suite]
        w(f"## Suite `{suite}`")
        w("")
        doc = suite_docs.get(suite, "").strip()
        if doc:
            w(doc)
            w("")
        systems = list(dict.fromkeys(s for c in scases for s in c["systems"]))
        peers = [s for s in systems if s != scases[0]["reference"]]
        ref = scases[0]["reference"]
        primary_metrics = [m for m in METRICS if better_of(m) is not None]
        context_metrics = [m for m in METRICS if better_of(m) is None]

        if not peers:
            w("Component micro-benchmarks: ferry only, no peer runs this code, no ratios.")
            w("")
            w("| benchmark | params | metric | ferry |")
            w("|---|---|---|---|")
            for c in scases:
                pk = params_key(c["params"])
                for m in primary_metrics:
                    r = by_key.get((suite, c["case"], pk, ref, m, "median"))
                    if r:
                        w(f"| {c['case']} | {fmt_params(c['params'])} | {m} ({r.unit}) | {cell(r)} |")
            w("")
        else:
            diff_peers = [p for p in peers
                          if any(r.suite == suite and r.system == f"{ref}-{p}" for r in rows)]
            head = (["case", "params", "metric"] + systems + [f"{ref}/{p}" for p in peers]
                    + [f"{ref} − {p}" for p in diff_peers] + ["better", "verdict"])
            w("| " + " | ".join(head) + " |")
            w("|" + "---|" * len(head))
            for c in scases:
                pk = params_key(c["params"])
                for m in primary_metrics:
                    cells = [by_key.get((suite, c["case"], pk, s, m, "median")) for s in systems]
                    if not any(cells):
                        continue
                    ratios = [by_key.get((suite, c["case"], pk, f"{ref}/{p}", m, "median_pairwise_ratio"))
                              for p in peers]
                    diffs = [by_key.get((suite, c["case"], pk, f"{ref}-{p}", m, "median_pairwise_difference"))
                             for p in diff_peers]
                    unit = METRICS[m][0]
                    w("| " + " | ".join([c["label"], fmt_params(c["params"], ("max_seconds",)), f"{m} ({unit})"]
                                        + [cell(x) for x in cells] + [ratio_cell(x) for x in ratios]
                                        + [diff_cell(x) for x in diffs]
                                        + [DIRECTION[better_of(m)],
                                           "; ".join(verdict(x, m, ref) for x in ratios if x)]) + " |")
            w("")
            ctx_rows = []
            for c in scases:
                pk = params_key(c["params"])
                for m in context_metrics:
                    cells = [by_key.get((suite, c["case"], pk, s, m, "median")) for s in systems]
                    if any(cells):
                        ctx_rows.append("| " + " | ".join([c["label"], f"{m} ({METRICS[m][0]})"]
                                                         + [cell(x) for x in cells]) + " |")
            if ctx_rows:
                w("Context (not compared): CPU the system under test used (seconds, and as a share of "
                  "the one CPU it is pinned to: near 1 means the server was the bottleneck), the "
                  "client's share of its own CPU (≥ 0.9 flags a client-bound run), errors and "
                  "missing deliveries.")
                w("")
                w("| case | metric | " + " | ".join(systems) + " |")
                w("|---|---|" + "---|" * len(systems))
                lines.extend(ctx_rows)
                w("")

        flagged = [(c["label"], n) for c in scases for n in c.get("notes", [])]
        failed = [(c["label"], n) for c in scases for n in c.get("failures", [])]
        if flagged:
            w("Flags raised during the runs:")
            w("")
            for label, n in flagged:
                w(f"- {label}: {n}")
            w("")
        if failed:
            w("**Failed runs** (excluded from medians; their pairs are excluded from ratios):")
            w("")
            for label, n in failed:
                w(f"- {label}: {n}")
            w("")
        for title, rel in plots.get(suite, []):
            w(f"![{title}]({rel})")
            w("")
    return "\n".join(lines) + "\n"
