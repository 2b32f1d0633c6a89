"""The Pulumi toolchain `scripts/up`, the operator scripts and the e2e suite run: a `pulumi` CLI
on PATH; else the official installer's download; else, where Go is present, the CLI, the
Python language host and the four provider plugins compiled from Go modules (`toolchain/`),
cached outside the work tree under a key of everything that goes into them."""
