from pgplatform_ops.migrate.cli import main

raise SystemExit(main())
