"""Garbage-collector pauses are measured, and start-up's objects are exempted from later collections."""

from __future__ import annotations

import gc

import pytest

from salessync import gcstats


def count(generation: int) -> float:
    samples = gcstats.PAUSE.collect()[0].samples
    matching = (s.value for s in samples if s.name.endswith("_count") and s.labels["generation"] == str(generation))
    return next(matching, 0.0)


def test_every_collection_is_recorded_by_generation() -> None:
    gcstats.install()
    gcstats.install()  # twice is once
    before = count(2)
    gc.collect()
    assert count(2) == before + 1
    assert gc.callbacks.count(gcstats._on_gc) == 1


def test_freeze_collects_exempts_and_raises_the_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "set_threshold", lambda *t: calls.append(t))
    gcstats.freeze()
    assert calls == ["collect", "freeze", gcstats.THRESHOLDS]
    assert gcstats.THRESHOLDS[0] > 700 and gcstats.THRESHOLDS[2] > 10  # rarer than the default (700, 10, 10)
