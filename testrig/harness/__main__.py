"""`python -m harness up STACK OUTPUTS_JSON` / `down STACK` (see scripts/harness)."""

from harness.cli import main

raise SystemExit(main())
