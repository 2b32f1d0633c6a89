#!/bin/sh
# PgBouncer's own figures for Prometheus (Debian's prometheus-pgbouncer-exporter), logging in to
# the pooler's console as the stack's monitor (`stats_users`: SHOW only). Its password and the
# stack's CA arrive root-only (uploads carry no owner): hand the exporter's user private copies
# (libpq's rules: a password file readable by its owner alone), then run it as that user.
set -eu
src="$PGPLATFORM_METRICS_SOURCE"
dir="$PGPLATFORM_METRICS_DIR"
install -d -o pooler-metrics -g pooler-metrics -m 0700 "$dir"
install -o pooler-metrics -g pooler-metrics -m 0400 "$src/pgpass" "$dir/pgpass"
install -o pooler-metrics -g pooler-metrics -m 0444 "$src/ca.pem" "$dir/ca.pem"
export PGPASSFILE="$dir/pgpass"
exec setpriv --reuid=pooler-metrics --regid=pooler-metrics --init-groups \
    prometheus-pgbouncer-exporter "$@"
