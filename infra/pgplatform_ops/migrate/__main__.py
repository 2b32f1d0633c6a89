from pgplatform_ops import caller
from pgplatform_ops.migrate.cli import main

caller.enter()
raise SystemExit(main())
