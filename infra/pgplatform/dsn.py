"""Connection strings. Passwords are URL-quoted; callers keep the result secret."""

from urllib.parse import quote

from pgplatform.tls import VERIFY_FULL

# The admin's own sessions (bootstrap bookkeeping, lifecycle steps, verification) resolve names
# in pg_catalog only. A service may own a database's `public`, which the default search_path
# ("$user", public) would put on the superuser's path, where a function the service planted
# could capture an unqualified call (CVE-2018-1058).
ADMIN_SESSION_OPTIONS = "-c search_path=pg_catalog,pg_temp"


def postgres_url(*, user: str, password: str, host: str, port: int, database: str,
                 sslmode: str = VERIFY_FULL) -> str:
    # TLS only, verified: libpq's default (`prefer`) falls back to plaintext and checks nothing.
    # The CA is not in the URL (libpq reads it from a file): connect through `tls.with_ca`, or
    # set PGSSLROOTCERT to a file holding the stack's `ca_cert`.
    # An IPv6 address goes in brackets, or libpq reads its colons as the port's.
    where = f"[{host}]" if ":" in host else host
    return (f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}"
            f"@{where}:{port}/{quote(database, safe='')}?sslmode={sslmode}")


def replica_url(*, user: str, password: str, hosts: list[tuple[str, int]], database: str,
                sslmode: str = VERIFY_FULL) -> str:
    """Several servers, replicas first and the primary last: libpq tries the standbys and falls
    back to the primary when none answers (`target_session_attrs=prefer-standby`, PostgreSQL
    14+ libpq), so a read-only client keeps working while a replica is rebuilt."""
    where = ",".join(f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in hosts)
    return (f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}"
            f"@{where}/{quote(database, safe='')}?sslmode={sslmode}"
            "&target_session_attrs=prefer-standby")
