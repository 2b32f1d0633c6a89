"""Per-service backup and restore (`scripts/backup`, `scripts/restore`)."""
