"""Entry point for `pulumi up`: read the stack config, build the platform, export outputs."""

import pulumi

from pgplatform import config, program

for key, value in program.build(config.from_pulumi()).items():
    pulumi.export(key, value)
