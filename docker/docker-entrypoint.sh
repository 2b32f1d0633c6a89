#!/bin/sh
# Entrypoint compatible with the official postgres image's variables:
# POSTGRES_PASSWORD, POSTGRES_PASSWORD_FILE, POSTGRES_USER, PGDATA, POSTGRES_INITDB_ARGS.
set -eu

die() {
    echo "docker-entrypoint: error: $*" >&2
    exit 1
}

log() {
    echo "docker-entrypoint: $*" >&2
}

# Like the official image: "-c foo=bar" means "postgres -c foo=bar".
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"
fi

# Anything other than the server (e.g. "bash", "psql") runs as given.
if [ "$1" != "postgres" ]; then
    exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA
: "${POSTGRES_USER:=postgres}"
export POSTGRES_USER

if [ -n "${POSTGRES_PASSWORD:-}" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    die "both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set (they are exclusive)"
fi

if [ "$(id -u)" = "0" ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$(dirname "$PGDATA")" 2>/dev/null || true
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    chmod 2775 /var/run/postgresql
    # Read a root-only secret file as root (like the official image does) and hand a
    # private copy to the postgres user; it is removed right after initdb.
    if [ -n "${POSTGRES_PASSWORD_FILE:-}" ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
        [ -r "$POSTGRES_PASSWORD_FILE" ] || die "POSTGRES_PASSWORD_FILE ($POSTGRES_PASSWORD_FILE) is not readable"
        tmp="$(mktemp /tmp/pg-init-pw.XXXXXX)"
        cat "$POSTGRES_PASSWORD_FILE" > "$tmp"
        chown postgres:postgres "$tmp"
        chmod 600 "$tmp"
        export POSTGRES_PASSWORD_FILE="$tmp" _PG_INIT_PW_TMP="$tmp"
    fi
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    # Resolve the password without ever printing it.
    if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
        [ -r "$POSTGRES_PASSWORD_FILE" ] || die "POSTGRES_PASSWORD_FILE ($POSTGRES_PASSWORD_FILE) is not readable by user $(id -un)"
        pw="$(cat "$POSTGRES_PASSWORD_FILE")"
    else
        pw="${POSTGRES_PASSWORD:-}"
    fi
    [ -n "$pw" ] || die "database is uninitialized and no password given: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE"

    pwfile="$(mktemp)"
    chmod 600 "$pwfile"
    printf '%s\n' "$pw" > "$pwfile"
    unset pw

    log "initializing database cluster in $PGDATA (superuser $POSTGRES_USER)"
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is word-split on purpose, like upstream
    if ! initdb --username="$POSTGRES_USER" --pwfile="$pwfile" \
            --auth-host=scram-sha-256 --auth-local=peer \
            ${POSTGRES_INITDB_ARGS:-} >/tmp/initdb.log 2>&1; then
        rm -f "$pwfile" "${_PG_INIT_PW_TMP:-}"
        cat /tmp/initdb.log >&2
        die "initdb failed"
    fi
    rm -f "$pwfile" /tmp/initdb.log
    if [ -n "${_PG_INIT_PW_TMP:-}" ]; then
        rm -f "$_PG_INIT_PW_TMP"
        unset _PG_INIT_PW_TMP
    fi

    {
        echo
        echo "# added by docker-entrypoint.sh"
        echo "password_encryption = scram-sha-256"
        echo "listen_addresses = '*'"
    } >> "$PGDATA/postgresql.conf"

    cat > "$PGDATA/pg_hba.conf" <<'HBA'
# TYPE  DATABASE  USER  ADDRESS      METHOD
local   all       all                peer
host    all       all   0.0.0.0/0    scram-sha-256
host    all       all   ::/0         scram-sha-256
HBA
    log "initialization complete"
fi

exec "$@"
