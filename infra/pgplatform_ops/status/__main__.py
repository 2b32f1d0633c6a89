import sys

from pgplatform_ops import caller
from pgplatform_ops.status.cli import main

if __name__ == "__main__":
    caller.enter()
    sys.exit(main())
