"""A refused connection probe without a server: the pooler's "client slots all held" answer is
tried again (it proves nothing about what the login may reach), and reported as it is when it
does not go away."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest

from pgplatform import pooler
from pgplatform_ops.verify import pooler_slots, probes

pytestmark = pytest.mark.unit

CONSOLE = "host=127.0.0.1 port=16499 user=pgplatform_monitor dbname=cyrex sslmode=verify-full"
SLOTS_HELD = ('connection failed: connection to server at "127.0.0.1", port 16499 failed: '
              "FATAL:  client connections exceeded (max_user_client_connections)")
REJECTED = ('connection failed: connection to server at "127.0.0.1", port 16499 failed: '
            "FATAL:  login rejected")


def _answers(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[float]:
    """psycopg.connect fails with each answer in turn (the last one for ever); returns the
    waits slept."""
    slept: list[float] = []

    def connect(*_args: Any, **_kwargs: Any) -> Any:
        raise psycopg.OperationalError(answers.pop(0) if len(answers) > 1 else answers[0])

    monkeypatch.setattr(psycopg, "connect", connect)
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def test_connection_refused__slots_held_then_rejected__no_finding(
        monkeypatch: pytest.MonkeyPatch) -> None:
    slept = _answers(monkeypatch, [SLOTS_HELD, SLOTS_HELD, REJECTED])
    found = probes._connection_refused(CONSOLE, "pgplatform_monitor", "connect to cyrex")
    assert found == [], f"expected the refusal after two retries to count, got {found}"
    assert slept == list(pooler_slots.RETRY_WAITS_S[:2]), slept


def test_connection_refused__slots_held_every_time__reported_as_it_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    slept = _answers(monkeypatch, [SLOTS_HELD])
    found = probes._connection_refused(CONSOLE, "pgplatform_monitor", "connect to cyrex")
    assert len(found) == 1 and pooler.CLIENT_LIMIT_REFUSAL in found[0].actual, found
    assert found[0].expected == probes.DENIED, found
    assert slept == list(pooler_slots.RETRY_WAITS_S), slept


def test_connection_refused__rejected_at_once__tried_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    slept = _answers(monkeypatch, [REJECTED])
    assert probes._connection_refused(CONSOLE, "pgplatform_monitor", "connect to cyrex") == []
    assert slept == [], f"expected no retry of a plain refusal, slept {slept}"
