import sys

from pgplatform_ops import caller
from pgplatform_ops.backup.cli import backup_main, restore_main

if __name__ == "__main__":
    command, *rest = sys.argv[1:] or [""]
    mains = {"backup": backup_main, "restore": restore_main}
    if command not in mains:
        print("usage: python -m pgplatform_ops.backup {backup,restore} ...", file=sys.stderr)
        sys.exit(2)
    caller.enter()
    sys.exit(mains[command](rest))
