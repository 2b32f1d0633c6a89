"""The verification suite: pytest tests parametrized over the model of a deployed stack, run by
`scripts/verify` with the plugin in `pgplatform_ops.verify.plugin`."""
