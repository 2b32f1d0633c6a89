from pgplatform.migrate.cli import main

raise SystemExit(main())
