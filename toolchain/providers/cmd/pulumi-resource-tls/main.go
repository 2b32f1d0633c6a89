// pulumi-resource-tls is the Pulumi resource plugin for the tls package.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"pgplatform.local/providers/tls"
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
	if tls.Version == "" {
		fmt.Fprintln(os.Stderr, "built without -ldflags -X pgplatform.local/providers/tls.Version=<sdk version>")
		os.Exit(2)
	}
	pftfbridge.Main(context.Background(), "tls", tls.Provider(bridgeMetadata),
		pftfbridge.ProviderMetadata{PackageSchema: packageSchema})
}
