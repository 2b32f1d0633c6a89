"""pgplatform's policies, one module per rule; `pack` assembles them (see `../__main__.py`).

Each module has a plain `validate(args, report_violation)` and its `POLICY` object, so tests
call the rules directly, without the Pulumi CLI.
"""
