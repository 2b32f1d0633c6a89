#!/bin/sh
# The session watchdog (pgplatform.session_limits), in a container of the server's image on the
# server's network: every PGPLATFORM_WATCHDOG_PERIOD seconds, as the watchdog login, end the
# sessions over their login's limits and print what it ended. Its password, client key and the
# stack's CA arrive root-only (uploads carry no owner): private copies for `postgres`, then it
# runs as that user, never as root.
set -eu
src=/run/secrets/pgplatform-watchdog
dir=/run/pgplatform-watchdog
install -d -o postgres -g postgres -m 0700 "$dir"
install -o postgres -g postgres -m 0400 "$src/password" "$dir/password"
install -o postgres -g postgres -m 0444 "$src/ca.pem" "$dir/ca.pem"
install -o postgres -g postgres -m 0444 "$src/client.crt" "$dir/client.crt"
# libpq wants the key private to its user.
install -o postgres -g postgres -m 0600 "$src/client.key" "$dir/client.key"
exec setpriv --reuid=postgres --regid=postgres --init-groups sh -c '
  PGPASSWORD="$(cat /run/pgplatform-watchdog/password)"
  export PGPASSWORD
  while :; do
    # A server that does not answer (restarting) is retried next period, not fatal.
    psql "$PGPLATFORM_WATCHDOG_DSN" -X -A -t -q -F " " -v ON_ERROR_STOP=1 \
      -c "SELECT * FROM pgplatform.enforce_session_limits()" \
      || echo "watchdog: the server did not answer; retrying in $PGPLATFORM_WATCHDOG_PERIOD s" >&2
    sleep "$PGPLATFORM_WATCHDOG_PERIOD"
  done'
