"""Every SQL module in sql/ against a real PostgreSQL 17 + pgvector server: it applies from
scratch, creates every index its module.toml declares, rolls back to an empty schema and
applies again."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import pytest

from pgplatform import modules, paths, stack_config
from pgplatform.migrate import runner

from pgserver import PgServer
from scaffold import fresh_database, migration_target

pytestmark = pytest.mark.integration
SQL_ROOT = paths.SQL_ROOT
MODULES = sorted(modules.available(SQL_ROOT))
# The dev stack names every module's schema and service; a module it does not deploy gets its
# own name for both.
_DEV_SERVICES = {s.module: s for s in stack_config.for_stack("dev").services}


@dataclass(frozen=True, kw_only=True)
class Placement:
    service: str
    schemas: tuple[str, ...]
    owner_role: str


def _placement(module: str) -> Placement:
    svc = _DEV_SERVICES.get(module)
    if svc is None:
        return Placement(service=module, schemas=(module,), owner_role=f"{module}_owner")
    return Placement(service=svc.name, schemas=svc.schemas, owner_role=svc.owner_role)


@pytest.fixture
def target(pg_server: PgServer, request: pytest.FixtureRequest) -> runner.Target:
    name: str = request.param
    where = _placement(name)
    dsn = fresh_database(pg_server, f"mod_{name}", where.schemas, where.owner_role)
    return migration_target(pg_server, dsn, service=where.service, schemas=where.schemas,
                            owner=where.owner_role, module=modules.load(SQL_ROOT, name))


def _schema_objects(dsn: str, schema: str) -> dict[str, list[str]]:
    """Everything a module could leave behind in `schema`, by kind."""
    with psycopg.connect(dsn) as c:
        def names(query: str) -> list[str]:
            return [str(r[0]) for r in c.execute(query, (schema,))]

        return {
            "relations": names("SELECT format('%%s (%%s)', relname, relkind) FROM pg_class "
                               "WHERE relnamespace = %s::regnamespace AND relkind <> 'v' "
                               "ORDER BY 1"),
            "views": names("SELECT viewname FROM pg_views WHERE schemaname = %s ORDER BY 1"),
            "functions": names("SELECT oid::regprocedure::text FROM pg_proc "
                               "WHERE pronamespace = %s::regnamespace ORDER BY 1"),
            "types": names("SELECT typname FROM pg_type "
                           "WHERE typnamespace = %s::regnamespace ORDER BY 1"),
        }


def _indexes(dsn: str, schema: str) -> dict[str, tuple[str, str, set[str], bool]]:
    """index name -> (table, access method, operator classes, valid and ready)."""
    with psycopg.connect(dsn) as c:
        rows = c.execute(
            """SELECT ic.relname, t.relname, am.amname,
                      array(SELECT opc.opcname FROM unnest(i.indclass::oid[]) AS k(oid)
                            JOIN pg_opclass opc ON opc.oid = k.oid),
                      i.indisvalid AND i.indisready
               FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
               JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am am ON am.oid = ic.relam
               WHERE ic.relnamespace = %s::regnamespace""", (schema,)).fetchall()
    return {r[0]: (r[1], r[2], set(r[3]), r[4]) for r in rows}


@pytest.mark.parametrize("target", MODULES, ids=MODULES, indirect=True)
def test_module__applies_declares_its_indexes_rolls_back_clean_and_reapplies(
    target: runner.Target,
) -> None:
    module, primary = target.module, target.schemas[0]
    applied = runner.migrate(target)
    assert [m.id for m in applied] == [m.id for m in module.migrations], (
        f"module {module.name}: expected every migration applied in order, got "
        f"{[m.id for m in applied]}")

    found = {schema: _indexes(target.dsn, schema) for schema in target.schemas}
    problems = []
    for ix in module.indexes:
        schema = ix.schema or primary
        got = found.get(schema, {}).get(ix.name)
        if got is None:
            problems.append(f"{ix.name}: expected on {schema}.{ix.table}, missing")
            continue
        table, method, opclasses, usable = got
        if (table, method) != (ix.table, ix.method):
            problems.append(f"{ix.name}: expected {ix.method} on {ix.table}, "
                            f"got {method} on {table}")
        if ix.opclass is not None and ix.opclass not in opclasses:
            problems.append(f"{ix.name}: expected opclass {ix.opclass}, got {sorted(opclasses)}")
        if not usable:
            problems.append(f"{ix.name}: expected valid and ready, it is not")
    assert not problems, f"module {module.name}: declared indexes: " + "; ".join(problems)

    undone = runner.rollback(target, steps=len(module.migrations))
    assert [m.id for m in undone] == [m.id for m in reversed(module.migrations)], (
        f"module {module.name}: expected every migration rolled back newest first, got "
        f"{[m.id for m in undone]}")
    leftovers = {f"{schema}.{k}": v for schema in target.schemas
                 for k, v in _schema_objects(target.dsn, schema).items() if v}
    assert not leftovers, (
        f"module {module.name}: expected schemas {target.schemas} empty after a full "
        f"rollback, found {leftovers}")
    states = [r.state for r in runner.status(target)]
    assert states == ["pending"] * len(module.migrations), (
        f"module {module.name}: expected every migration pending after rollback, got {states}")

    reapplied = runner.migrate(target)
    assert len(reapplied) == len(module.migrations), (
        f"module {module.name}: expected {len(module.migrations)} migrations re-applied, "
        f"got {len(reapplied)}")
    states = [r.state for r in runner.status(target)]
    assert states == ["applied"] * len(module.migrations), (
        f"module {module.name}: expected every migration applied after re-applying, "
        f"got {states}")
