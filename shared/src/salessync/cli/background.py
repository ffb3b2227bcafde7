"""`salessync up` as a background process for tests and benchmarks: free ports, a short temp data dir, a wait on
the launcher's own readiness (its run file), and a SIGTERM at the end."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salessync.embedded import free_port_block

from .plan import RUN_FILE, LauncherError


@dataclass(frozen=True)
class Running:
    port: int  # the gateway's
    ports: dict[str, int]  # every started service
    data_dir: Path
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_base_port(width: int = 6) -> int:
    """A port p with p .. p+width-1 all free (the gateway and the services after it)."""
    try:
        return free_port_block(width)
    except OSError as exc:
        raise LauncherError(str(exc)) from exc


def tail(path: Path, lines: int = 40) -> str:
    """The warnings, errors and non-JSON lines (tracebacks) of the log, then its last `lines` lines."""
    try:
        all_lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    notable = [
        line
        for line in all_lines[:-lines]
        if '"level":"error"' in line or '"level":"warning"' in line or not line.startswith("{")
    ]
    return "\n".join([*notable[-60:], "...", *all_lines[-lines:]])


def wait_until_ready(proc: subprocess.Popen[bytes], data_dir: Path, log: Path, deadline_s: float) -> dict[str, Any]:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise LauncherError(f"salessync up exited with {proc.returncode}:\n{tail(log)}")
        try:
            state: dict[str, Any] = json.loads((data_dir / RUN_FILE).read_text())
        except (OSError, ValueError):
            state = {}
        if state.get("ready"):
            return state
        time.sleep(0.25)
    raise LauncherError(f"salessync up was not ready after {deadline_s:.0f} s:\n{tail(log)}")


def stop(proc: subprocess.Popen[bytes], timeout_s: float = 90.0) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


@contextmanager
def running_system(
    *, seed: bool = True, deadline_s: float = 240.0, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Iterator[Running]:
    """The whole system on free ports in a fresh temp data dir (embedded PostgreSQL and NATS), stopped on exit."""
    root = Path(tempfile.mkdtemp(prefix="ss-up-", dir="/tmp"))  # short: the PostgreSQL socket lives in it
    data_dir, log = root / "var", root / "up.log"
    port = free_base_port()
    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL", "SALESSYNC_NO_SEED")}
    command = [sys.executable, "-m", "salessync.cli.main", "up", "--port", str(port), "--data-dir", str(data_dir),
               "--ready-timeout", str(max(30.0, deadline_s - 30))]  # fmt: skip
    if not seed:
        command.append("--no-seed")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**base_env, **(env or {})},
            cwd=cwd,
            start_new_session=True,  # the terminal's Ctrl-C reaches the caller, which stops the launcher
        )
    try:
        state = wait_until_ready(proc, data_dir, log, deadline_s)
        ports = {name: int(state["ports"][name]) for name in state["services"]}
        yield Running(port=port, ports=ports, data_dir=data_dir, log=log)
    finally:
        stop(proc)
        shutil.rmtree(root, ignore_errors=True)
