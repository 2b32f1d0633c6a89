from pgplatform_ops.verify.cli import main

raise SystemExit(main())
