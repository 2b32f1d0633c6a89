from pgplatform_ops.toolchain.cli import main

raise SystemExit(main())
