"""Entry point for `pulumi up`: read the stack config, build the platform, export outputs."""

import pulumi

from pgplatform import program, stack_config

for key, value in program.build(stack_config.from_pulumi()).exports().items():
    pulumi.export(key, value)
