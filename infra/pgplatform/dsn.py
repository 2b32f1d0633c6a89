"""Connection strings. Passwords are URL-quoted; callers keep the result secret."""

from urllib.parse import quote


def postgres_url(*, user: str, password: str, host: str, port: int, database: str) -> str:
    # The server has no TLS and is reached on loopback only; say so instead of libpq's `prefer`.
    return (f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}"
            f"@{host}:{port}/{quote(database, safe='')}?sslmode=disable")
