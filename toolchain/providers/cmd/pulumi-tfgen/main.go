// pulumi-tfgen generates schema.json and bridge-metadata.json for one of the
// providers in this module:
//
//	pulumi-tfgen NAME schema --out DIR
//
// It must be linked with the same -X ...Version flags as the plugin: the
// bridge records the provider's major version in the metadata and replays it
// at run time.
package main

import (
	"fmt"
	"os"
	"slices"

	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"pgplatform.local/providers/docker"
	"pgplatform.local/providers/postgresql"
	"pgplatform.local/providers/random"
	"pgplatform.local/providers/tls"
)

// Generation starts from no history: the plugin then embeds exactly what this
// run records, so schema and runtime cannot drift apart.
var noMetadata = []byte("{}")

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-tfgen docker|postgresql|random|tls schema --out DIR")
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	// Docs and HCL examples only feed descriptions; converting examples would
	// also need the pulumi CLI and converter plugins on the build machine.
	for _, flag := range []string{"--skip-docs", "--skip-examples"} {
		if !slices.Contains(args, flag) {
			args = append(args, flag)
		}
	}
	os.Args = append([]string{"pulumi-tfgen-" + name}, args...)

	version := map[string]string{
		"docker": docker.Version, "postgresql": postgresql.Version,
		"random": random.Version, "tls": tls.Version,
	}
	if v, ok := version[name]; ok && v == "" {
		fmt.Fprintf(os.Stderr, "built without -ldflags -X pgplatform.local/providers/%s.Version=<sdk version>\n", name)
		os.Exit(2)
	}

	switch name {
	case "docker":
		tfgen.Main(name, docker.Version, docker.Provider(noMetadata))
	case "postgresql":
		tfgen.Main(name, postgresql.Version, postgresql.Provider(noMetadata))
	case "random":
		pftfgen.Main(name, random.Provider(noMetadata))
	case "tls":
		pftfgen.Main(name, tls.Provider(noMetadata))
	default:
		fmt.Fprintf(os.Stderr, "unknown provider %q\n", name)
		os.Exit(2)
	}
}
