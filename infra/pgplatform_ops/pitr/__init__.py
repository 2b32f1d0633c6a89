"""Point-in-time recovery for the operator: base backups into the stack's pgBackRest repository
(`scripts/backup --server`), restore of the whole server to a moment (`scripts/restore
--server`), and the repository's health for `scripts/status`."""
