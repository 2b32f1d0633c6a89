"""`python -m pgplatform_ops.bench [--quick] [--json FILE]` (see scripts/bench)."""

from pgplatform_ops.bench.cli import main

if __name__ == "__main__":  # the queue's worker processes are spawned: they import this too
    raise SystemExit(main())
