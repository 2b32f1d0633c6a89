"""`scripts/migrate`: the migration runner by hand, against a deployed stack."""
