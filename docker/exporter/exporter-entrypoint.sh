#!/bin/sh
# The monitor's password, its client key and the stack's CA arrive root-only (uploads carry no owner): hand the
# exporter's user private copies, then run the exporter as that user, never as root.
set -eu
dir="$PGPLATFORM_EXPORTER_DIR"
install -d -o prometheus -g prometheus -m 0700 "$dir"
install -o prometheus -g prometheus -m 0400 "$PGPLATFORM_PASSWORD_SOURCE" "$dir/password"
install -o prometheus -g prometheus -m 0444 "$PGPLATFORM_CA_SOURCE" "$dir/ca.pem"
# Its client certificate for the server (lib/pq wants the key private to its user).
install -o prometheus -g prometheus -m 0444 "$PGPLATFORM_CLIENT_SOURCE/client.crt" "$dir/client.crt"
install -o prometheus -g prometheus -m 0600 "$PGPLATFORM_CLIENT_SOURCE/client.key" "$dir/client.key"
export DATA_SOURCE_PASS_FILE="$dir/password"
# The exporter reads one queries file: the stack's extra queries appended (server.pitr).
cat /etc/pgplatform-exporter/queries.yaml ${PGPLATFORM_EXTRA_QUERIES:-} > "$dir/queries.yaml"
chown prometheus:prometheus "$dir/queries.yaml"
exec setpriv --reuid=prometheus --regid=prometheus --init-groups \
    prometheus-postgres-exporter --extend.query-path="$dir/queries.yaml" "$@"
