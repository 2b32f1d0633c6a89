#!/bin/sh
# The pooler's config, its SCRAM verifiers, its keys and the stack's CA arrive root-only
# (uploads carry no owner): hand `postgres` private copies, then run PgBouncer as that user in
# the foreground, never as root.
set -eu
src="$PGPLATFORM_POOLER_SOURCE"
dir="$PGPLATFORM_POOLER_DIR"
install -d -o postgres -g postgres -m 0700 "$dir"
for f in pgbouncer.ini pg_hba.conf userlist.txt server.key client.key; do
    install -o postgres -g postgres -m 0400 "$src/$f" "$dir/$f"
done
for f in server.crt client.crt ca.pem; do
    install -o postgres -g postgres -m 0444 "$src/$f" "$dir/$f"
done
exec setpriv --reuid=postgres --regid=postgres --init-groups pgbouncer "$dir/pgbouncer.ini"
