"""`scripts/bench`: measured figures of a harness-deployed stack, each beside its baseline from
the same run and its target (vector search, task queue, bootstrap and verification at scale)."""
