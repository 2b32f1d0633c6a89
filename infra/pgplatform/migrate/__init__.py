"""The migration runner: the bootstrap's dynamic provider and `scripts/migrate` both call it."""
