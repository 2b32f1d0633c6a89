"""module.toml: `[admin]` (the only way a migration gets the admin, declared and reviewed)
and `schemas` (where a schema-qualified module writes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pgplatform import modules, paths

pytestmark = pytest.mark.unit


def _copy(tmp_path: Path, name: str = "cyrex") -> Path:
    shutil.copytree(paths.SQL_ROOT / name, tmp_path / name)
    return tmp_path / name


def test_modules__cyrex_declares_its_adoption_as_the_admins_with_why() -> None:
    module = modules.load(paths.SQL_ROOT, "cyrex")
    assert module.admin_migrations == {1}
    assert "legacy" in module.admin_reason
    others = {name for name in modules.available(paths.SQL_ROOT)
              if modules.load(paths.SQL_ROOT, name).admin_migrations}
    assert others == {"cyrex"}, "no other module may need the admin"


def test_modules__the_retired_in_sql_marker_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = _copy(tmp_path, "rag")
    first = sorted(path.glob("0001_*.sql"))[0]
    first.write_text("-- pgplatform:run-as=admin\n" + first.read_text())
    with pytest.raises(modules.ModuleError) as err:
        modules.load(tmp_path, "rag")
    assert str(first) in str(err.value) and "[admin]" in str(err.value)


@pytest.mark.parametrize(("admin", "says"), [
    ('migrations = ["0099_nothing"]\nreason = "x"', "names ['0099_nothing']"),
    ('migrations = ["0001_adopt_or_create_tables"]', "[admin].reason must say why"),
    ('reason = "x"', "[admin].migrations must list migration ids"),
])
def test_modules__admin_declarations_are_validated(tmp_path: Path, admin: str, says: str
                                                   ) -> None:
    path = _copy(tmp_path)
    manifest = path / modules.MANIFEST
    text = manifest.read_text()
    start = text.index("[admin]")
    end = text.index("[[index]]")
    manifest.write_text(text[:start] + "[admin]\n" + admin + "\n\n" + text[end:])
    with pytest.raises(modules.ModuleError) as err:
        modules.load(tmp_path, "cyrex")
    assert says in str(err.value) and str(manifest) in str(err.value), str(err.value)


def test_modules__a_multi_schema_module_declares_the_schemas_its_sql_names() -> None:
    module = modules.load(paths.SQL_ROOT, "cyrex_backend")
    assert module.schemas == ("public", "analytics", "audit")
    assert module.required_schemas == set(module.schemas)
    assert all(i.schema in module.schemas for i in module.indexes), "every index says where"
    assert modules.load(paths.SQL_ROOT, "rag").schemas == ()


def test_modules__declared_schemas_are_validated_naming_the_file(tmp_path: Path) -> None:
    path = _copy(tmp_path, "cyrex_backend")
    manifest = path / modules.MANIFEST
    manifest.write_text(manifest.read_text().replace(
        'schemas = ["public", "analytics", "audit"]', 'schemas = "public"'))
    with pytest.raises(modules.ModuleError) as err:
        modules.load(tmp_path, "cyrex_backend")
    assert "schemas must be a list" in str(err.value) and str(manifest) in str(err.value)
