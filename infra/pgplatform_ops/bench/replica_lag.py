"""How far the stack's replicas fall behind while the benchmark loads documents: the primary's
`pg_stat_replication` sampled through the load, then the time they take to catch up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg

from pgplatform import replication
from pgplatform_ops.stack import DeployedStack

SAMPLE_EVERY_S = 0.2
CATCH_UP_TIMEOUT_S = 300.0


@dataclass
class LagResult:
    replicas: int
    samples: int = 0
    lag_bytes_max: int = 0
    lag_seconds_max: float = 0.0
    catch_up_seconds: float = 0.0
    """From the end of the load until every replica had replayed all of it."""
    lags: list[float] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        ordered = sorted(self.lags) or [0.0]
        return {"replica.count": self.replicas,
                "replica.lag_bytes_max": self.lag_bytes_max,
                "replica.lag_seconds_max": round(self.lag_seconds_max, 3),
                "replica.lag_seconds_p50": round(ordered[len(ordered) // 2], 3),
                "replica.catch_up_seconds": round(self.catch_up_seconds, 2)}


@contextmanager
def sampled(deployed: DeployedStack) -> Iterator[LagResult]:
    """Sample every replica's lag while the block runs; afterwards wait for them to catch up.
    The result is filled in when the block ends."""
    result = LagResult(replicas=deployed.cfg.server.replicas)
    stop = threading.Event()

    def sample() -> None:
        with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
            while not stop.is_set():
                states = replication.replicas(conn).values()
                result.samples += 1
                for st in states:
                    result.lag_bytes_max = max(result.lag_bytes_max, st.replay_lag_bytes)
                    result.lag_seconds_max = max(result.lag_seconds_max,
                                                 st.replay_lag_seconds)
                    result.lags.append(st.replay_lag_seconds)
                time.sleep(SAMPLE_EVERY_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        stop.set()
        sampler.join(timeout=10)
    done = time.monotonic()
    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        while any(st.replay_lag_bytes > 0 for st in replication.replicas(conn).values()):
            if time.monotonic() - done > CATCH_UP_TIMEOUT_S:
                break
            time.sleep(SAMPLE_EVERY_S)
    result.catch_up_seconds = time.monotonic() - done
