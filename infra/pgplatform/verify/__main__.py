from pgplatform.verify.cli import main

raise SystemExit(main())
