"""The stack's CA where libpq reads it: one file per CA, and DSNs that point at it without
changing their form."""

from __future__ import annotations

from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from pgplatform import tls

pytestmark = pytest.mark.unit
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def test_tls__one_file_per_ca_holding_it(cache: Path) -> None:
    path = Path(tls.ca_file(CA))
    assert path.parent == cache / "pgplatform" and path.read_text() == CA
    assert tls.ca_file(CA) == str(path)
    other = tls.ca_file(CA.replace("MIIB", "MIIC"))
    assert other != str(path)
    path.write_text("tampered")
    assert Path(tls.ca_file(CA)).read_text() == CA, "a changed file is written again"


def test_tls__not_a_certificate_is_refused_naming_the_output() -> None:
    with pytest.raises(tls.TlsError, match="ca_cert"):
        tls.ca_file("not a pem")


def test_tls__a_url_stays_a_url_and_keeps_its_parameters() -> None:
    dsn = "postgresql://u:p%40ss@[::1]:5432/db?sslmode=verify-full&sslrootcert=/old.pem"
    out = tls.with_ca(dsn, CA)
    assert out.startswith("postgresql://u:p%40ss@[::1]:5432/db?")
    parsed = conninfo_to_dict(out)
    assert parsed["password"] == "p@ss" and parsed["sslmode"] == "verify-full"
    assert parsed["sslrootcert"] == tls.ca_file(CA)


def test_tls__key_value_dsn_gets_the_ca_too() -> None:
    out = tls.with_ca("host=127.0.0.1 dbname=db sslmode=verify-full", CA)
    assert conninfo_to_dict(out)["sslrootcert"] == tls.ca_file(CA)
