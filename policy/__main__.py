"""Entry point the Pulumi CLI runs for `--policy-pack policy`: serve the pgplatform pack.

The policies themselves live in `pgplatform_policy/` (importable, unit-tested without the CLI).
"""

from pgplatform_policy import pack
from pulumi_policy import PolicyPack

pack.keep_secret_markers()
PolicyPack(**pack.PACK)
