"""Connection facts for a PostgreSQL server under test (importable by any test module)."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg.conninfo import make_conninfo


@dataclass(frozen=True)
class PgServer:
    container_name: str
    host: str
    port: int
    admin_user: str
    admin_password: str

    @property
    def admin_dsn(self) -> str:
        return self.dsn("postgres")

    def dsn(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        """libpq key=value conninfo (always TCP to ``host``, TLS off)."""
        return make_conninfo(
            host=self.host,
            port=str(self.port),
            dbname=dbname,
            user=user if user is not None else self.admin_user,
            password=password if password is not None else self.admin_password,
            sslmode="disable",
            connect_timeout="5",
        )
