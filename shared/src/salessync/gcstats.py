"""Garbage-collector pauses, measured and made rarer.

A full (generation 2) collection walks every tracked object of the process; in a notifier holding a thousand
sockets it stops the event loop for long enough to show as the p99 of a fan-out. `install()` records every pause
in the `python_gc_pause_seconds` histogram (by generation) and, once start-up is over, `freeze()` moves what
start-up allocated (modules, settings, pools) into the permanent generation, which collections no longer walk.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from prometheus_client import Histogram

PAUSE = Histogram(
    "python_gc_pause_seconds",
    "Time the garbage collector stopped the process, by generation",
    ["generation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
_started = [0.0]
THRESHOLDS = (7_000, 50, 100)  # the default is (700, 10, 10)


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
    else:
        PAUSE.labels(str(info.get("generation", "?"))).observe(time.perf_counter() - _started[0])


def install() -> None:
    if _on_gc not in gc.callbacks:
        gc.callbacks.append(_on_gc)


def freeze() -> None:
    """After start-up: collect once, exempt the survivors from every later collection, and collect the older
    generations less often (each socket, pool connection and task is a few hundred objects that live for hours,
    and the default thresholds walk them all every few seconds under load)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


def after_startup() -> None:
    """What every service calls once its start-up is done: measure the pauses, then make them rare."""
    install()
    freeze()
