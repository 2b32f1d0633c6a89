#!/bin/sh
# Healthy only if a real query over TCP to 127.0.0.1 answers (pg_isready lies during init).
set -u
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ] && [ -r "$POSTGRES_PASSWORD_FILE" ]; then
    PGPASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
else
    PGPASSWORD="${POSTGRES_PASSWORD:-}"
fi
export PGPASSWORD
out="$(psql -h 127.0.0.1 -p "${PGPORT:-5432}" -U "${POSTGRES_USER:-postgres}" -d postgres \
    -w -tAc 'select 1' 2>/dev/null)" || exit 1
[ "$out" = "1" ]
