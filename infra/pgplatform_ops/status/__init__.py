"""`scripts/status`: sizes and growth, connections, denied access, misplaced tables."""
