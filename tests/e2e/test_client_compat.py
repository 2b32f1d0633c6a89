"""The clients an AI-agent team points at the server, against the harness deploy of `ci`, each
with the DSN the README gives it: Alembic through `migrator_dsn`, the app through `dsn`,
`readonly_dsn` for reads; langchain-postgres `PGVector` set up through `migrator_dsn` (no
extension creation) and used through `dsn`; pgvector-python's psycopg types on vector_store's
halfvec column through `dsn`; an MCP-style read-only client on a consumer DSN.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest
from alembic import command
from alembic.config import Config
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_postgres import PGVector
from pgvector.psycopg import register_vector
from pgvector.utils import HalfVector
from psycopg import sql

from pgplatform_ops.stack import DeployedStack

from e2e_support import CiDeployment

pytestmark = pytest.mark.e2e
DIM = 384


@pytest.fixture(scope="module")
def deployed(ci_deployment: CiDeployment) -> DeployedStack:
    return ci_deployment.deployed


def _sqlalchemy(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+psycopg://", 1)


def _owner_of(d: DeployedStack, database: str, schema: str, table: str) -> str:
    with psycopg.connect(d.admin_dsn(database)) as c:
        row = c.execute("SELECT tableowner FROM pg_tables WHERE schemaname = %s AND "
                        "tablename = %s", (schema, table)).fetchone()
    assert row, f"{schema}.{table}: expected the table, it does not exist"
    return str(row[0])


REVISION = textwrap.dedent('''\
    """create notes"""
    import sqlalchemy as sa
    from alembic import op

    revision = "0001"
    down_revision = None


    def upgrade():
        op.create_table("alembic_notes", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("body", sa.Text, nullable=False))


    def downgrade():
        op.drop_table("alembic_notes")
''')


@pytest.fixture
def alembic_config(deployed: DeployedStack, tmp_path: Path) -> Iterator[Config]:
    cfg = Config(str(tmp_path / "alembic.ini"))
    command.init(cfg, str(tmp_path / "migrations"))
    (tmp_path / "migrations" / "versions" / "0001_create_notes.py").write_text(REVISION)
    cfg.set_main_option("script_location", str(tmp_path / "migrations"))
    cfg.set_main_option("sqlalchemy.url",
                        _sqlalchemy(deployed.migrator_dsn("flipsync_app")).replace("%", "%%"))
    yield cfg
    command.downgrade(cfg, "base")
    with psycopg.connect(deployed.migrator_dsn("flipsync_app"), autocommit=True) as c:
        c.execute("DROP TABLE IF EXISTS alembic_version")


def test_clients__alembic_migrates_app_writes_readonly_reads(
        deployed: DeployedStack, alembic_config: Config) -> None:
    svc = deployed.cfg.service("flipsync_app")
    command.upgrade(alembic_config, "head")
    for table in ("alembic_notes", "alembic_version"):
        assert _owner_of(deployed, svc.database, svc.schema, table) == svc.owner_role, (
            f"{table}: Alembic through migrator_dsn must create it as {svc.owner_role}")
    with psycopg.connect(deployed.service_dsn(svc.name), autocommit=True) as app:
        app.execute("INSERT INTO alembic_notes (id, body) VALUES (1, 'written by the app')")
    with psycopg.connect(deployed.readonly_dsn(svc.name), autocommit=True) as ro:
        assert ro.execute("SELECT body FROM alembic_notes").fetchall() == [
            ("written by the app",)]
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            ro.execute("INSERT INTO alembic_notes (id, body) VALUES (2, 'x')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ro.execute("SET default_transaction_read_only = off; COMMIT; "
                       "INSERT INTO alembic_notes (id, body) VALUES (2, 'x')")
    with psycopg.connect(deployed.service_dsn(svc.name), autocommit=True) as app, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute("DROP TABLE alembic_notes")


def test_clients__langchain_pgvector_set_up_by_migrator_used_by_app(
        deployed: DeployedStack) -> None:
    svc = deployed.cfg.service("rag")
    embeddings = DeterministicFakeEmbedding(size=DIM)

    def store(dsn: str) -> PGVector:
        return PGVector(embeddings=embeddings, collection_name="e2e_compat",
                        connection=_sqlalchemy(dsn), use_jsonb=True, create_extension=False)

    store(deployed.migrator_dsn(svc.name))  # creates its two tables in the rag schema
    for table in ("langchain_pg_collection", "langchain_pg_embedding"):
        assert _owner_of(deployed, svc.database, svc.schema, table) == svc.owner_role
    app = store(deployed.service_dsn(svc.name))
    texts = [f"document {i} about {topic}" for i, topic in
             enumerate(["vectors", "queues", "schedulers", "memory", "retrieval"])]
    app.add_texts(texts, metadatas=[{"i": i} for i in range(len(texts))])
    found = app.similarity_search(texts[3], k=1)
    assert [d.page_content for d in found] == [texts[3]], found
    with psycopg.connect(deployed.readonly_dsn(svc.name)) as ro:
        rows = ro.execute("SELECT count(*) FROM langchain_pg_embedding e JOIN "
                          "langchain_pg_collection c ON c.uuid = e.collection_id "
                          "WHERE c.name = 'e2e_compat'").fetchone()
        assert rows == (len(texts),)
    app.delete_collection()


def test_clients__mcp_read_only_client_lists_and_reads_agent_tables_cannot_write(
        deployed: DeployedStack) -> None:
    """As @modelcontextprotocol/server-postgres lists its resources (tables of `public`, hard
    wired) and runs a query: BEGIN TRANSACTION READ ONLY, the client's SQL, ROLLBACK — here
    with a `COMMIT;` smuggled into the SQL."""
    consumer = deployed.cfg.consumers[0]
    svc = deployed.cfg.service(consumer.reads[0])
    assert svc.schema == "public", f"{svc.name}: seed 000 keeps the agent tables in public"
    with psycopg.connect(deployed.admin_dsn(svc.database)) as admin:
        tables = sorted(str(r[0]) for r in admin.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (svc.schema,)))
    assert tables, f"{svc.schema}: expected the agent tables of {svc.name}"
    with psycopg.connect(deployed.consumer_dsn(consumer.name), autocommit=True) as mcp:
        listed = sorted(str(r[0]) for r in mcp.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
        assert listed == tables
        others = mcp.execute(
            "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema "
            "NOT IN ('pg_catalog', 'information_schema', %s)", (svc.schema,)).fetchall()
        assert others == [], f"the consumer sees tables outside {svc.schema}: {others}"
        for table in tables:
            mcp.execute(sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(svc.schema, table)))
        escape = sql.SQL("BEGIN TRANSACTION READ ONLY; COMMIT; "
                         "SET default_transaction_read_only = off; COMMIT; "
                         "INSERT INTO {} DEFAULT VALUES; ROLLBACK").format(
            sql.Identifier(svc.schema, tables[0]))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            mcp.execute(escape)


def test_clients__pgvector_python_keeps_its_vector_sql_on_the_halfvec_column(
        deployed: DeployedStack) -> None:
    """vector_store stores halfvec (0003) while clients bind numpy arrays as `vector`
    (pgvector-python's register_vector): pgvector casts vector to halfvec implicitly, so their
    INSERT stores it and their `ORDER BY embedding <=> %s` is the halfvec operator its HNSW
    index serves; what they read back is a HalfVector."""
    svc = deployed.cfg.service("vector_store")
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((40, DIM)).astype(np.float32)
    ids = [COMPAT_IDS + i for i in range(len(vectors))]
    with psycopg.connect(deployed.service_dsn(svc.name)) as app:
        register_vector(app)
        try:
            with app.cursor() as cur:
                cur.executemany(
                    "INSERT INTO documents (id, content, embedding) VALUES (%s, %s, %s)",
                    [(i, f"compat {i}", v) for i, v in zip(ids, vectors, strict=True)])
            want = vectors[7]
            # Only the 40 rows: the index must be usable by the client's SQL, not chosen.
            app.execute("SET LOCAL enable_seqscan = off")
            query = ("SELECT id, embedding FROM documents WHERE content LIKE 'compat %%' "
                     "ORDER BY embedding <=> %s LIMIT 3")
            plan = "\n".join(r[0] for r in app.execute(f"EXPLAIN {query}", (want,)))
            assert "documents_embedding_hnsw_idx" in plan, plan
            rows = app.execute(query, (want,)).fetchall()
            assert rows[0][0] == ids[7], rows
            stored = rows[0][1]
            assert isinstance(stored, HalfVector), type(stored)
            assert np.allclose(stored.to_numpy(), want, atol=1e-2)
        finally:
            app.rollback()  # the rows were never committed


COMPAT_IDS = 900_000
"""Ids of the rows the pgvector-python test writes in its transaction."""
