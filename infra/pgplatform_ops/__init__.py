"""Operator tools beside the product: `stack` (a deployed stack, typed), and the tools built on
it — `verify`, `migrate` (the CLI), `bench`. They import `pgplatform` and `stack`, never each
other."""
