"""The settings validation reads a committed copy of the server's parameter list; it must be
the built image's own."""

from __future__ import annotations

import psycopg
import pytest

from pgplatform import server_settings
from pgplatform_ops import settings_catalog

from pgserver import PgServer

pytestmark = pytest.mark.integration


def test_settings_catalog__is_the_images_own_parameter_list(pg_server: PgServer) -> None:
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        fresh = settings_catalog.read(conn)["settings"]
    committed = server_settings.catalog()
    differ = sorted(n for n in set(fresh) | set(committed) if fresh.get(n) != committed.get(n))
    assert not differ, (
        f"{server_settings.CATALOG}: {len(differ)} settings differ from the image's "
        f"pg_settings, e.g. {differ[:10]}. Fix: scripts/settings-catalog --dsn <admin DSN of "
        "a server of the image> --write, and review the diff")
    assert "hnsw.ef_search" in committed, "the vector extension's settings are listed"
