"""Many clients of one service through its `pooled_dsn`: every client must be answered while
the server sees at most the service's pool size of that login's sessions.

Each client opens its own TLS session to the pooler and runs a few short transactions that
hold their server connection for a moment (`pg_sleep`), so the clients really queue for the
pool. Meanwhile the admin samples `pg_stat_activity` for the login's sessions and keeps the
highest count it saw. No more clients than the login's client share (`max_user_client_connections`)
are started: the pooler refuses the rest by design (tests/e2e/test_hostile_neighbour.py).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg

from pgplatform import pooler
from pgplatform_ops.stack import DeployedStack

TRANSACTIONS_PER_CLIENT = 3
HOLD_S = 0.02
SAMPLE_EVERY_S = 0.005


@dataclass(frozen=True, kw_only=True)
class PoolerResult:
    service: str
    clients: int
    client_share: int
    """The clients the service's app login may hold in the pooler."""
    answered: int
    pool_size: int
    server_sessions_max: int
    """The most sessions of the service's app login the server had at once."""
    seconds: float
    errors: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        return {"pooler.clients": self.clients, "pooler.client_share": self.client_share,
                "pooler.answered": self.answered, "pooler.pool_size": self.pool_size,
                "pooler.server_sessions_max": self.server_sessions_max,
                "pooler.seconds": round(self.seconds, 2)}


def _sample(admin_dsn: str, role: str, stop: threading.Event, seen: list[int]) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        while not stop.is_set():
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s "
                               "AND backend_type = 'client backend'", (role,)).fetchone()
            seen.append(int(row[0]) if row else 0)
            time.sleep(SAMPLE_EVERY_S)


def run(deployed: DeployedStack, service: str, *, clients: int = 300) -> PoolerResult:
    """`clients` concurrent clients of `service` through its pooled DSN (at most its share)."""
    svc = deployed.cfg.service(service)
    dsn = deployed.pooled_dsn(service)
    if not dsn:
        raise ValueError(f"pooler: stack {deployed.name} has no pooler (server.pooler)")
    share = pooler.client_limits(deployed.cfg)[service]
    clients = min(clients, share)
    start = threading.Barrier(clients)

    def client(_: int) -> str | None:
        try:
            start.wait(timeout=120)
            with psycopg.connect(dsn, connect_timeout=60, autocommit=True) as conn:
                for _i in range(TRANSACTIONS_PER_CLIENT):
                    row = conn.execute("SELECT current_user FROM pg_sleep(%s)",
                                       (HOLD_S,)).fetchone()
                    if not row or row[0] != svc.login_role:
                        return f"answered as {row}"
            return None
        except (psycopg.Error, threading.BrokenBarrierError) as exc:
            return f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1]}"

    stop, seen = threading.Event(), [0]
    sampler = threading.Thread(target=_sample, args=(deployed.admin_dsn(svc.database),
                                                     svc.login_role, stop, seen), daemon=True)
    sampler.start()
    began = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            outcomes = list(pool.map(client, range(clients)))
    finally:
        seconds = time.monotonic() - began
        stop.set()
        sampler.join(timeout=10)
    errors = [e for e in outcomes if e is not None]
    return PoolerResult(service=service, clients=clients, client_share=share,
                        answered=clients - len(errors),
                        pool_size=svc.pool_size, server_sessions_max=max(seen),
                        seconds=seconds, errors=sorted(set(errors)))
