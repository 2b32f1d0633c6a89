"""Post-deploy verification: the live server compared against the model (no Pulumi here)."""
