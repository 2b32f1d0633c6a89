"""Row checksums of a service's tables and bookkeeping, and the damage a restore must undo:
what the backup/restore tests compare before and after."""

from __future__ import annotations

import psycopg
from psycopg import sql

from pgplatform.model import ServiceConfig
from pgplatform_ops.stack import DeployedStack

# service -> an INSERT of 300 rows, as its app; ids clear of those verification's planner
# fixtures insert (and roll back).
FILLED = {
    "rag": "INSERT INTO rag.rag_sessions (id, session_id) SELECT 500000 + i, 's' || i "
           "FROM generate_series(1, 300) i",
    "vector_store": "INSERT INTO vector_store.documents (id, content, embedding) SELECT "
                    "500000 + i, 'doc ' || i, array_fill(i::real, ARRAY[384])::extensions.vector"
                    " FROM generate_series(1, 300) i",
}
Sums = dict[str, tuple[int, str]]


def sums(d: DeployedStack, svc: ServiceConfig) -> Sums:
    """Rows and an md5 of them per table of the service's schemas; `schema_migrations` rows of
    the service under `bookkeeping`."""
    out: Sums = {}
    # As its migrator (the owner's rights, its own bookkeeping rows): on an external server
    # the admin cannot read a service's tables.
    with psycopg.connect(d.migrator_dsn(svc.name)) as c:
        tables = c.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = "
                           "ANY(%s) ORDER BY 1, 2", (list(svc.schemas),)).fetchall()
        for schema, table in tables:
            row = c.execute(sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
                " FROM {} t").format(sql.Identifier(schema, table))).fetchone()
            assert row is not None
            out[f"{schema}.{table}"] = (int(row[0]), str(row[1]))
        row = c.execute("SELECT count(*), md5(string_agg(version || name || checksum, '|' "
                        "ORDER BY version)) FROM pgplatform.schema_migrations WHERE service = "
                        "%s", (svc.name,)).fetchone()
        assert row is not None
        out["bookkeeping"] = (int(row[0]), str(row[1]))
    return out


def damage(d: DeployedStack, svc: ServiceConfig) -> None:
    """What a bad deploy or a careless script does, as the service's own migrator."""
    with psycopg.connect(d.migrator_dsn(svc.name)) as c:
        c.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(*FILLED_TABLE[svc.name])))
        c.execute(sql.SQL("CREATE TABLE {} (i int)").format(
            sql.Identifier(svc.schema, "stray")))
        # Its only way to delete bookkeeping rows (the table grants no DELETE).
        c.execute("SELECT pgplatform.forget_migrations(%s, (SELECT max(version) FROM "
                  "pgplatform.schema_migrations WHERE service = %s))", (svc.name, svc.name))


FILLED_TABLE = {"rag": ("rag", "rag_sessions"), "vector_store": ("vector_store", "documents")}
