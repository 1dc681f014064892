"""SVG plots through gnuplot (gnuplot-nox from scripts/deps). Every plot shows the median of
the runs with error bars spanning the runs' min..max. Data and scripts are kept beside the SVG
(.dat/.gp) so a plot can be regenerated or restyled by hand."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Optional

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

HEADER = """set terminal svg size 860,480 dynamic noenhanced font 'Helvetica,12' background rgb 'white'
set output '{out}'
set title '{title}'
set ylabel '{ylabel}'
set grid ytics
set key below horizontal
set datafile missing '?'
"""


def _q(s: str) -> str:
    return s.replace("'", "")


def _num(x: Optional[float]) -> str:
    return "?" if x is None else f"{x:.6g}"



def bar_chart(path: Path, title: str, ylabel: str, categories: list[str],
              series: dict[str, list[Optional[tuple[float, float, float]]]]) -> bool:
    """Clustered bars: one cluster per category, one bar per series (value, min, max)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dat = path.with_suffix(".dat")
    names = list(series)
    with open(dat, "w") as f:
        f.write("# category " + " ".join(f"{n}_median {n}_min {n}_max" for n in names) + "\n")
        for i, cat in enumerate(categories):
            cols = []
            for n in names:
                v = series[n][i]
                cols += [_num(v[0]), _num(v[1]), _num(v[2])] if v else ["?", "?", "?"]
            f.write(f'"{cat}" ' + " ".join(cols) + "\n")
    gp = path.with_suffix(".gp")
    plots = []
    for j, n in enumerate(names):
        c = 2 + 3 * j
        src = f"'{dat.name}'" if j == 0 else "''"
        xt = ":xtic(1)" if j == 0 else ""
        plots.append(f"{src} using {c}:{c + 1}:{c + 2}{xt} title '{_q(n)}' lc rgb '{PALETTE[j % len(PALETTE)]}'")
    gp.write_text(HEADER.format(out=path.name, title=_q(title), ylabel=_q(ylabel)) + """set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.75 border -1
set boxwidth 0.9
set yrange [0:*]
set xtics nomirror
plot """ + ", \\\n     ".join(plots) + "\n")
    return _run_in(gp)


def line_chart(path: Path, title: str, xlabel: str, ylabel: str,
               series: dict[str, list[tuple[float, float, float, float]]], logx: bool = False,
               logy: bool = False) -> bool:
    """Lines with error bars: series name -> [(x, median, min, max), ...]."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dat = path.with_suffix(".dat")
    names = [n for n in series if series[n]]
    with open(dat, "w") as f:
        for n in names:
            f.write(f"# {n}: x median min max\n")
            for x, v, lo, hi in sorted(series[n]):
                f.write(f"{_num(x)} {_num(v)} {_num(lo)} {_num(hi)}\n")
            f.write("\n\n")
    gp = path.with_suffix(".gp")
    plots = [f"'{dat.name}' index {i} using 1:2:3:4 with yerrorlines title '{_q(n)}' "
             f"lc rgb '{PALETTE[i % len(PALETTE)]}' lw 2 pt 7"
             for i, n in enumerate(names)]
    gp.write_text(HEADER.format(out=path.name, title=_q(title), ylabel=_q(ylabel))
                  + f"set xlabel '{_q(xlabel)}'\n"
                  + "set key outside right center vertical\n"
                  + ("set logscale x 10\n" if logx else "")
                  + "set offsets graph 0.04, graph 0.06, 0, 0\n"
                  + ("set logscale y 10\n" if logy else "set yrange [0:*]\n")
                  + "plot " + ", \\\n     ".join(plots) + "\n")
    return _run_in(gp)


def _run_in(gp: Path) -> bool:
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        return False
    p = subprocess.run([gnuplot, gp.name], cwd=gp.parent, capture_output=True, timeout=60)
    return p.returncode == 0 and gp.with_suffix(".svg").exists()
