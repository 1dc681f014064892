"""env.json: the machine and the versions every result was measured with."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Optional


def _cmd(argv: list[str], timeout: float = 10) -> Optional[str]:
    try:
        p = subprocess.run(argv, capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (p.stdout or p.stderr).decode("utf-8", "replace").strip()
    return text if p.returncode == 0 and text else None


def _first_line(text: Optional[str]) -> Optional[str]:
    return text.splitlines()[0].strip() if text else None


def _read(path: str) -> Optional[str]:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def cpu_model() -> Optional[str]:
    info = _read("/proc/cpuinfo") or ""
    m = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    return m.group(1).strip() if m else None


def mem_total_gib() -> Optional[float]:
    info = _read("/proc/meminfo") or ""
    m = re.search(r"^MemTotal:\s*(\d+) kB", info, re.M)
    return round(int(m.group(1)) / 1024 / 1024, 1) if m else None


def dpkg_version(pkg: str) -> Optional[str]:
    return _cmd(["dpkg-query", "-W", "-f=${Version}", pkg])


def ferry_revision(root: Path) -> dict:
    rev = _cmd(["git", "-C", str(root), "rev-parse", "HEAD"])
    status = _cmd(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"])
    return {"git_rev": rev, "dirty": bool(status)}


def collect(root: Path, extra: dict) -> dict:
    etcd = _cmd(["etcd", "--version"])
    env = {
        "kernel": platform.release(),
        "kernel_version": platform.version(),
        "arch": platform.machine(),
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "mem_total_gib": mem_total_gib(),
        "clocksource": _read("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
        "bpf_jit_enable": _read("/proc/sys/net/core/bpf_jit_enable"),
        "loadavg_start": _read("/proc/loadavg"),
        "os": _first_line(_read("/etc/debian_version")),
        "versions": {
            "ferry": ferry_revision(root),
            "etcd": _first_line(etcd).replace("etcd Version: ", "") if etcd else None,
            "iptables": _cmd(["iptables", "--version"]),
            "nft": _cmd(["nft", "--version"]),
            "gnuplot": _cmd(["gnuplot", "--version"]),
            "compiler": _first_line(_cmd(["c++", "--version"])),
            "clang": _first_line(_cmd(["clang", "--version"])),
            "libbpf": dpkg_version("libbpf-dev"),
            "openssl": _cmd(["openssl", "version"]),
            "boost": dpkg_version("libboost-dev"),
            "python": platform.python_version(),
            "dnsperf": dpkg_version("dnsperf"),
            "dnsmasq": dpkg_version("dnsmasq-base"),
            "knot": dpkg_version("knot"),
        },
    }
    env.update(extra)
    return env
