"""`python -m pgplatform.harness up STACK OUTPUTS_JSON` / `down STACK` (see scripts/harness)."""

from pgplatform.harness.cli import main

raise SystemExit(main())
