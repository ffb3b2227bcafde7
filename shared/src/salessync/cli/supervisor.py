"""The service processes: start them in order, wait until each answers `/ready`, restart one that dies with
exponential backoff, and stop them in reverse order (SIGTERM, then SIGKILL after a grace period)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from salessync.registry import ServiceSpec

from .plan import LauncherError

log = logging.getLogger("salessync.launcher")
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Backoff:
    first_s: float = 0.5
    max_s: float = 30.0
    stable_s: float = 30.0  # a child that ran this long before dying starts again from `first_s`

    def delay(self, failures: int) -> float:
        return float(min(self.max_s, self.first_s * 2 ** max(0, failures - 1)))


@dataclass
class Child:
    spec: ServiceSpec
    port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    restarts: int = 0
    extra_args: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.name

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def command_for(spec: ServiceSpec, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--factory", spec.app_factory,
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        "--loop", "uvloop", "--http", "salessync.httpserver:HttpProtocol", "--timeout-graceful-shutdown", "5",
        # Client addresses come from the gateway's X-Forwarded-For, judged by each service against its own
        # list of trusted proxies; uvicorn must not rewrite them for any local caller.
        "--no-proxy-headers", *spec.uvicorn_args,
    ]  # fmt: skip


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM if the launcher dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(self, children: Sequence[Child], *, grace_s: float = 10.0, backoff: Backoff | None = None) -> None:
        self.children = sorted(children, key=lambda c: c.spec.start_order)
        self.grace_s = grace_s
        self.backoff = backoff or Backoff()

    def start(self, child: Child) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **child.env}
        child.proc = subprocess.Popen(
            command_for(child.spec, child.port) + child.extra_args,
            env=env,
            stderr=subprocess.STDOUT,  # the service's whole log on stdout; stderr carries the launcher's reason
            start_new_session=True,  # Ctrl-C reaches the launcher only; it stops children in order
            preexec_fn=_die_with_parent,
        )
        child.started_at = time.monotonic()
        child.restart_at = None

    def start_all(self) -> None:
        for child in self.children:
            self.start(child)
            log.info("started", extra={"target": child.name, "pid": child.proc.pid if child.proc else None})

    async def wait_ready(self, deadline_s: float, stopping: asyncio.Event) -> bool:
        """True when every child answers 200 on /ready; False if asked to stop; LauncherError on a dead child
        or at the deadline."""
        pending = {c.name: c for c in self.children}
        last: dict[str, str] = {}
        end = time.monotonic() + deadline_s
        async with httpx.AsyncClient(timeout=2.0) as client:
            while pending:
                if stopping.is_set():
                    return False
                for name, child in list(pending.items()):
                    code = child.proc.poll() if child.proc else -1
                    if code is not None:
                        raise LauncherError(f"{name} exited with code {code} during start-up (its log is above)")
                    try:
                        answer = await client.get(f"http://127.0.0.1:{child.port}/ready")
                    except httpx.HTTPError as exc:
                        last[name] = type(exc).__name__
                        continue
                    if answer.status_code == 200:
                        del pending[name]
                        log.info("ready", extra={"target": name, "port": child.port})
                    else:
                        last[name] = f"{answer.status_code} {answer.text[:200]}"
                if pending and time.monotonic() > end:
                    detail = "; ".join(f"{n}: {last.get(n, 'no answer')}" for n in pending)
                    raise LauncherError(f"not ready after {deadline_s:.0f} s: {detail}")
                if pending:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), 0.2)
        return True

    async def supervise(self, stopping: asyncio.Event, tick_s: float = 0.25) -> None:
        """Until `stopping` is set: restart any child that dies, after an exponential backoff."""
        while not stopping.is_set():
            now = time.monotonic()
            for child in self.children:
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        self.start(child)
                        child.restarts += 1
                        log.warning("restarted", extra={"target": child.name, "restarts": child.restarts})
                    continue
                code = child.proc.poll() if child.proc else None
                if code is None:
                    continue
                child.failures = 1 if now - child.started_at >= self.backoff.stable_s else child.failures + 1
                delay = self.backoff.delay(child.failures)
                child.restart_at = now + delay
                log.warning(
                    f"{child.name} exited with code {code}; restarting in {delay:.1f} s",
                    extra={"target": child.name, "exit_code": code, "backoff_s": delay},
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), tick_s)

    def stop_all(self) -> None:
        """Reverse start order: SIGTERM, wait up to the grace period, then SIGKILL."""
        for child in reversed(self.children):
            child.restart_at = None
            proc = child.proc
            if proc is None:
                continue
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
                try:
                    proc.wait(self.grace_s)
                except subprocess.TimeoutExpired:
                    log.warning("killed after the grace period", extra={"target": child.name})
                    _signal_group(proc, signal.SIGKILL)
                    proc.wait()
                log.info("stopped", extra={"target": child.name, "exit_code": proc.returncode})
            _signal_group(proc, signal.SIGKILL)  # anything the child left behind in its group
            child.proc = None


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
