#!/bin/sh
# pgplatform's entrypoint, in front of the image's own (the official pgvector/pgvector image's
# docker-entrypoint.sh, or docker/docker-entrypoint.sh): the program uploads it into the
# container, so it serves either image.
#
# A data directory keeps the admin password it was initialised with, and a stack that keeps
# its data keeps the volume across `pulumi destroy`, which deletes the generated password: the
# next `up` starts a new container on the old data with a new password file. Before the server
# starts, make the file's content the admin's password, in single-user mode (no network;
# log_min_error_statement=panic keeps the statement, and so the password, out of any error).
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ] && [ -s "$PGDATA/PG_VERSION" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ] \
        && [ -r "$POSTGRES_PASSWORD_FILE" ]; then
    user=$(printf '%s' "${POSTGRES_USER:-postgres}" | sed 's/"/""/g')
    password=$(sed "s/'/''/g" "$POSTGRES_PASSWORD_FILE")
    owner=$(stat -c %u "$PGDATA")
    group=$(stat -c %g "$PGDATA")
    printf 'ALTER ROLE "%s" PASSWORD '"'"'%s'"'"'\n' "$user" "$password" \
        | setpriv --reuid="$owner" --regid="$group" --clear-groups \
            postgres --single -D "$PGDATA" -c log_min_error_statement=panic \
                -c listen_addresses= postgres >/dev/null \
        || { echo "pgplatform-entrypoint: could not set the admin password" >&2; exit 1; }
    unset password
    echo "pgplatform-entrypoint: admin password set from $POSTGRES_PASSWORD_FILE" >&2
fi
# The stack's server certificate and key arrive root-only (uploads carry no owner); PostgreSQL
# wants the key owned by the user it runs as, and private to it.
if [ "$(id -u)" = 0 ] && [ -n "${PGPLATFORM_TLS_SOURCE:-}" ] \
        && [ -r "$PGPLATFORM_TLS_SOURCE/server.key" ]; then
    install -d -o postgres -g postgres -m 0700 "$PGPLATFORM_TLS_DIR"
    install -o postgres -g postgres -m 0644 "$PGPLATFORM_TLS_SOURCE/server.crt" \
        "$PGPLATFORM_TLS_DIR/server.crt"
    install -o postgres -g postgres -m 0600 "$PGPLATFORM_TLS_SOURCE/server.key" \
        "$PGPLATFORM_TLS_DIR/server.key"
    # The stack's CA, against which the sidecars' client certificates are checked.
    install -o postgres -g postgres -m 0644 "$PGPLATFORM_TLS_SOURCE/ca.crt" \
        "$PGPLATFORM_TLS_DIR/ca.crt"
fi
# server.pitr: pgBackRest's configuration (it holds the repository's passphrase) arrives
# root-only; archive_command and the backup tools run as the server's user.
if [ "$(id -u)" = 0 ] && [ -n "${PGPLATFORM_PITR_CONF:-}" ] && [ -r "$PGPLATFORM_PITR_CONF" ]; then
    install -d -o postgres -g postgres -m 0750 /etc/pgbackrest
    install -o postgres -g postgres -m 0600 "$PGPLATFORM_PITR_CONF" \
        /etc/pgbackrest/pgbackrest.conf
    chown postgres:postgres "$PGPLATFORM_PITR_REPO"
    chmod 0750 "$PGPLATFORM_PITR_REPO"
fi
# Kept pg_hba rules for the host name the gateway of the network the data was on; a network
# made again may have another. Point them (the lines ending in PGPLATFORM_HBA_HOST_MARK) at this
# container's default gateway (/proc/net/route: IPv4, hex, little-endian), as the file's owner.
if [ "$(id -u)" = 0 ] && [ -n "${PGPLATFORM_HBA_HOST_MARK:-}" ] && [ -s "$PGDATA/pg_hba.conf" ] \
        && grep -qF "$PGPLATFORM_HBA_HOST_MARK" "$PGDATA/pg_hba.conf"; then
    hex=$(awk '$2 == "00000000" { print $3; exit }' /proc/net/route)
    if [ -n "$hex" ]; then
        gateway=$(printf '%d.%d.%d.%d' "0x$(echo "$hex" | cut -c7-8)" \
            "0x$(echo "$hex" | cut -c5-6)" "0x$(echo "$hex" | cut -c3-4)" \
            "0x$(echo "$hex" | cut -c1-2)")
        setpriv --reuid="$(stat -c %u "$PGDATA")" --regid="$(stat -c %g "$PGDATA")" \
            --clear-groups sed -i -E \
            "s@ [0-9a-fA-F.:]+/(32|128) (.*) $PGPLATFORM_HBA_HOST_MARK\$@ $gateway/32 \2 $PGPLATFORM_HBA_HOST_MARK@" \
            "$PGDATA/pg_hba.conf"
        echo "pgplatform-entrypoint: pg_hba rules for the host now from $gateway" >&2
    fi
fi
exec docker-entrypoint.sh "$@"
