"""pgplatform, the product: what `pulumi up` runs (the model, access, modules, components, the
program and the migration runner its bootstrap calls). Operator tools live in
`pgplatform_ops` and import this package; nothing here imports them."""
