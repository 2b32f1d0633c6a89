// Package docker bridges kreuzwerker/terraform-provider-docker so that it
// speaks the schema of the pulumi-docker Python SDK (tokens docker:index/*).
//
// pulumi-docker's own docker.Image resource is Go code inside pulumi-docker,
// not Terraform, and is deliberately absent: build images with RemoteImage's
// build block instead.
package docker

import (
	"context"
	"runtime"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	bridgetokens "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// Version must equal the pulumi-docker SDK version: the engine looks the plugin
// up by it and the schema is stamped with it.
var Version string

func resourceToken(name string) tokens.Type {
	return tokens.Type("docker:index/" + strings.ToLower(name[:1]) + name[1:] + ":" + name)
}

func functionToken(name string) tokens.ModuleMember {
	return tokens.ModuleMember("docker:index/" + name + ":" + name)
}

// defaultHost is what the Docker CLI falls back to; pulumi-docker computes it
// in the Pulumi layer so it shows up in the provider's inputs.
func defaultHost(context.Context, tfbridge.ComputeDefaultOptions) (interface{}, error) {
	if runtime.GOOS == "windows" {
		return "npipe:////./pipe/docker_engine", nil
	}
	return "unix:///var/run/docker.sock", nil
}

// Provider needs the bridge metadata produced by pulumi-tfgen for this same
// ProviderInfo; pass an empty document while generating it.
func Provider(bridgeMetadata []byte) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            shimv2.NewProvider(shim.NewProvider(Version)),
		Name:         "docker",
		Description:  "A Pulumi package for interacting with Docker in Pulumi programs",
		GitHubOrg:    "kreuzwerker",
		Version:      Version,
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {Default: &tfbridge.DefaultInfo{
				EnvVars:        []string{"DOCKER_HOST"},
				ComputeDefault: defaultHost,
			}},
			// Several registries can be configured: keep the block a list, under
			// the singular name pulumi-docker has always used.
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_container": {
				Tok: resourceToken("Container"),
				// Container names are unique per daemon: the old container must be
				// gone before a replacement with the same name can start.
				DeleteBeforeReplace: true,
				Fields: map[string]*tfbridge.SchemaInfo{
					// The bridge would pluralise these lists (commands,
					// networksAdvanceds); the SDK keeps the names as they are.
					"command":           {Name: "command"},
					"networks_advanced": {Name: "networksAdvanced"},
				},
			},
			// pulumi-docker reserves "Image" for its native resource.
			"docker_image": {
				Tok: resourceToken("RemoteImage"),
				// Pinning the field opts it out of SetAutonaming below: the image
				// reference must be given verbatim, never suffixed.
				Fields: map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}},
			},
			// A resource named Config would collide with the SDKs' config
			// module (pulumi_docker.config).
			"docker_config": {Tok: resourceToken("ServiceConfig")},
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image": {Tok: functionToken("getRemoteImage")},
		},
	}

	info.MustComputeTokens(bridgetokens.SingleModule("docker_", "index", bridgetokens.MakeStandard("docker")))
	info.MustApplyAutoAliases()
	// Resources with a "name" input get Pulumi auto-naming (logical name plus a
	// random suffix) when the program leaves it unset, as in pulumi-docker.
	info.SetAutonaming(255, "-")
	return info
}
