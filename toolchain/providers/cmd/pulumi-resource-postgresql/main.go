// pulumi-resource-postgresql is the Pulumi resource plugin for the postgresql package.
package main

import (
	_ "embed"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"pgplatform.local/providers/postgresql"
)

// Both files come from pulumi-tfgen run against this same code (see README);
// they are build outputs, not sources.
var (
	//go:embed schema-embed.json
	packageSchema []byte
	//go:embed bridge-metadata.json
	bridgeMetadata []byte
)

func main() {
	if postgresql.Version == "" {
		fmt.Fprintln(os.Stderr, "built without -ldflags -X pgplatform.local/providers/postgresql.Version=<sdk version>")
		os.Exit(2)
	}
	tfbridge.Main("postgresql", postgresql.Version, postgresql.Provider(bridgeMetadata), packageSchema)
}
