"""Chores the worker runs between batches: each at its own pace; one failing stops no other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vecinos.core import periodic


@pytest.fixture
def chores() -> Iterator[list[str]]:
    saved = dict(periodic.CHORES)
    periodic.CHORES.clear()
    ran: list[str] = []
    try:
        yield ran
    finally:
        periodic.CHORES.clear()
        periodic.CHORES.update(saved)


def test_each_chore_runs_at_its_own_pace(chores: list[str]) -> None:
    periodic.register("fast", 5, lambda: chores.append("fast"))
    periodic.register("slow", 60, lambda: chores.append("slow"))
    assert periodic.run_due(now=1000) == ["fast", "slow"]
    assert periodic.run_due(now=1003) == []
    assert periodic.run_due(now=1006) == ["fast"]
    assert periodic.run_due(now=1061) == ["fast", "slow"]
    assert chores == ["fast", "slow", "fast", "fast", "slow"]


def test_a_failing_chore_is_logged_and_the_others_still_run(
    chores: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("database gone")

    periodic.register("broken", 5, broken)
    periodic.register("fine", 5, lambda: chores.append("fine"))
    assert periodic.run_due(now=0) == ["broken", "fine"]
    assert chores == ["fine"]
    assert "periodic chore broken failed" in caplog.text


def test_registering_twice_keeps_one_chore(chores: list[str]) -> None:
    periodic.register("once", 5, lambda: chores.append("a"))
    periodic.register("once", 5, lambda: chores.append("b"))
    periodic.run_due(now=0)
    assert chores == ["a"]


def test_the_hotline_registers_its_purge() -> None:
    assert "hotline.purge_callers" in periodic.CHORES
