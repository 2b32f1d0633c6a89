"""Verification's connections, tried again while PgBouncer answers that the login's client
slots are all held (`pooler.CLIENT_LIMIT_REFUSAL`). That answer proves nothing about what the
login may reach, and the stats login has two slots only (its exporter's session and ours):
under load PgBouncer can count a session just closed for a moment longer. After the waits the
answer is raised as it is. A server never words a refusal so, so direct connections are
unaffected."""

from __future__ import annotations

import time
from typing import Any

import psycopg

from pgplatform import pooler

RETRY_WAITS_S = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)


def connect(conninfo: str, **kwargs: Any) -> psycopg.Connection[Any]:
    for wait in RETRY_WAITS_S:
        try:
            return psycopg.connect(conninfo, **kwargs)
        except psycopg.OperationalError as exc:
            if pooler.CLIENT_LIMIT_REFUSAL not in str(exc):
                raise
        time.sleep(wait)
    return psycopg.connect(conninfo, **kwargs)
