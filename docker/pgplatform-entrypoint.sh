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
exec docker-entrypoint.sh "$@"
