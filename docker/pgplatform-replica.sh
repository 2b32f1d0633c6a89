#!/bin/sh
# A streaming replica's entrypoint (uploaded by the program, in front of
# pgplatform-entrypoint.sh): on an empty data volume, copy the primary with pg_basebackup
# through the replica's own slot, over TLS verified against the stack's CA (the primary's
# certificate names its container), as the replication login; `-R` makes it a standby that
# follows the primary (standby.signal, primary_conninfo naming the passfile, never the password,
# and the client certificate the primary's pg_hba asks of sidecars: `clientcert=verify-ca`).
# The passfile and the client key are written on every start from the uploads, outside the
# volume.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
src="$PGPLATFORM_REPLICA_SOURCE"
dir="$PGPLATFORM_REPLICA_DIR"
install -d -o postgres -g postgres -m 0700 "$dir"
install -o postgres -g postgres -m 0444 "$src/ca.pem" "$dir/ca.pem"
install -o postgres -g postgres -m 0444 "$src/client.crt" "$dir/client.crt"
install -o postgres -g postgres -m 0600 "$src/client.key" "$dir/client.key"
printf '%s:5432:replication:%s:%s\n' "$PGPLATFORM_PRIMARY" "$PGPLATFORM_REPLICATOR" \
    "$(sed 's/[\\:]/\\&/g' "$src/password")" > "$dir/pgpass"
chown postgres:postgres "$dir/pgpass"
chmod 0600 "$dir/pgpass"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    install -d -o postgres -g postgres -m 0700 "$PGDATA"
    echo "pgplatform-replica: copying $PGPLATFORM_PRIMARY through slot $PGPLATFORM_SLOT" >&2
    setpriv --reuid=postgres --regid=postgres --init-groups \
        pg_basebackup -D "$PGDATA" -S "$PGPLATFORM_SLOT" -R -X stream --checkpoint=fast \
            -d "host=$PGPLATFORM_PRIMARY port=5432 user=$PGPLATFORM_REPLICATOR \
sslmode=verify-full sslrootcert=$dir/ca.pem sslcert=$dir/client.crt sslkey=$dir/client.key \
passfile=$dir/pgpass \
application_name=$PGPLATFORM_APPLICATION_NAME"
    echo "pgplatform-replica: base backup done" >&2
fi
exec /usr/local/bin/pgplatform-entrypoint.sh "$@"
