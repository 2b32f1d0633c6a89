#!/bin/sh
# archive_command of a stack with server.pitr (uploaded by the program): push one WAL segment
# into the stack's pgBackRest repository. A push refused because the repository has no stanza
# yet (a new server, or a new key: infra/pgplatform/pitr.py) creates it, idempotently, and
# pushes again, so archiving works before the first base backup. A non-zero exit makes
# PostgreSQL keep the segment and retry; pg_stat_archiver counts the failure.
set -u
pgbackrest --stanza=pgplatform archive-push "$1" 2>/dev/null && exit 0
pgbackrest --stanza=pgplatform stanza-create >&2 || exit 1
exec pgbackrest --stanza=pgplatform archive-push "$1"
