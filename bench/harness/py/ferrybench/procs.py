"""Processes the harness starts: systems under test (servers) and ferry-bench measurements.

Every server runs in its own session (process group) so stopping it also stops anything it
forked; every one is registered so an interrupted run (Ctrl-C, an exception) still stops it;
every wait has a deadline.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Optional, Sequence


class MeasureError(RuntimeError):
    """A measurement could not be taken (the system failed, a bound was hit)."""


_LIVE: "set[Server]" = set()


def _pin(cpu: Optional[int]):
    if cpu is None:
        return None

    def pin():
        os.sched_setaffinity(0, {cpu})

    return pin


class Server:
    """A background system under test. Use as a context manager: stopped on exit."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path, cpu: Optional[int] = None,
                 env: Optional[dict] = None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_path)
        self.cpu = cpu
        self.env = env
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_pin(self.cpu),
                env=self.env if self.env is not None else os.environ.copy())
        except OSError as e:
            raise MeasureError(f"starting {self.name}: {e}") from None
        finally:
            log.close()
        _LIVE.add(self)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 1500) -> str:
        try:
            data = self.log_path.read_bytes()
        except OSError:
            return ""
        return data[-n:].decode("utf-8", "replace")

    def stop(self, grace: float = 5.0) -> Optional[int]:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        _LIVE.discard(self)
        return self.proc.returncode

    def __enter__(self) -> "Server":
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_all() -> None:
    for s in list(_LIVE):
        s.stop(grace=2.0)


atexit.register(stop_all)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel's choice from the ephemeral range)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred: Callable[[], bool], timeout: float, what: str, interval: float = 0.05,
               server: Optional[Server] = None) -> None:
    """Polls pred() until it is true; MeasureError after `timeout` s or if `server` dies."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if pred():
                return
        except Exception:  # noqa: BLE001 - not ready yet (connection refused, ...)
            pass
        if server is not None and not server.alive():
            raise MeasureError(f"{server.name} exited while {what}: {server.log_tail()}")
        if time.monotonic() >= deadline:
            tail = f": {server.log_tail()}" if server is not None else ""
            raise MeasureError(f"timed out after {timeout:.0f} s {what}{tail}")
        time.sleep(interval)


def run_json(argv: Sequence[str], timeout: float, cpu: Optional[int] = None) -> dict:
    """Runs a measuring command to completion (bounded) and parses its JSON stdout."""
    argv = [str(a) for a in argv]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                           preexec_fn=_pin(cpu), start_new_session=True)
    except subprocess.TimeoutExpired:
        raise MeasureError(f"{Path(argv[0]).name} {argv[1]} exceeded {timeout:.0f} s") from None
    except OSError as e:
        raise MeasureError(f"starting {Path(argv[0]).name}: {e}") from None
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()[-800:]
        raise MeasureError(f"{Path(argv[0]).name} {argv[1] if len(argv) > 1 else ''} failed "
                           f"(exit {p.returncode}): {err}")
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise MeasureError(f"{Path(argv[0]).name}: output is not JSON ({e})") from None
