import sys

from pgplatform_ops.status.cli import main

if __name__ == "__main__":
    sys.exit(main())
