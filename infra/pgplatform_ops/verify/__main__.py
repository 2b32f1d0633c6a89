from pgplatform_ops import caller
from pgplatform_ops.verify.cli import main

caller.enter()
raise SystemExit(main())
