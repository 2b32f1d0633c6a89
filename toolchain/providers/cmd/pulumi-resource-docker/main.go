// pulumi-resource-docker is the Pulumi resource plugin for the docker package.
package main

import (
	_ "embed"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"pgplatform.local/providers/docker"
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
	if docker.Version == "" {
		fmt.Fprintln(os.Stderr, "built without -ldflags -X pgplatform.local/providers/docker.Version=<sdk version>")
		os.Exit(2)
	}
	tfbridge.Main("docker", docker.Version, docker.Provider(bridgeMetadata), packageSchema)
}
