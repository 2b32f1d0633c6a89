"""The apply harness: the real program under Pulumi mocks, each resource applied for real."""
