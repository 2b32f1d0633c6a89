// Package postgresql bridges cyrilgdn/terraform-provider-postgresql so that it
// speaks the schema of the pulumi-postgresql Python SDK (tokens
// postgresql:index/*).
package postgresql

import (
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	bridgetokens "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-postgresql/postgresql"
)

// Version must equal the pulumi-postgresql SDK version: the engine looks the
// plugin up by it and the schema is stamped with it.
var Version string

func resourceToken(name string) tokens.Type {
	return tokens.Type("postgresql:index/" + strings.ToLower(name[:1]) + name[1:] + ":" + name)
}

// Provider needs the bridge metadata produced by pulumi-tfgen for this same
// ProviderInfo; pass an empty document while generating it.
func Provider(bridgeMetadata []byte) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(postgresql.Provider()),
		Name:        "postgresql",
		Description: "A Pulumi package for creating and managing postgresql cloud resources.",
		GitHubOrg:   "cyrilgdn",
		Version:     Version,
		// pulumi-postgresql keeps no metadata, but giving the bridge some makes
		// the runtime replay the exact token fixups tfgen recorded.
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
		Config: map[string]*tfbridge.SchemaInfo{
			// Upstream already reads these variables itself. pulumi-postgresql
			// declares them on the Pulumi side as well (schema defaults, which its
			// SDKs' explicit Provider also apply); kept for the same schema.
			"sslmode": {Default: &tfbridge.DefaultInfo{EnvVars: []string{"PGSSLMODE"}}},
			"connect_timeout": {Default: &tfbridge.DefaultInfo{
				EnvVars: []string{"PGCONNECT_TIMEOUT"},
				Value:   180,
			}},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			// Deleting a grant revokes every privilege of that role on that
			// object class, so create-before-delete would revoke the very
			// privileges the replacement just granted.
			"postgresql_grant": {DeleteBeforeReplace: true},
		},
		EnableZeroDefaultSchemaVersion: true,
		EnableAccurateBridgePreview:    true,
	}

	// pulumi-postgresql first published default_privileges under the
	// singularised token DefaultPrivileg; both tokens must keep working, the old
	// one deprecated and aliased to the new one.
	info.RenameResourceWithAlias("postgresql_default_privileges",
		resourceToken("DefaultPrivileg"), resourceToken("DefaultPrivileges"),
		"index", "index", nil)

	info.MustComputeTokens(bridgetokens.SingleModule("postgresql_", "index", bridgetokens.MakeStandard("postgresql")))
	// Resources with a "name" input get Pulumi auto-naming (logical name plus a
	// random suffix) when the program leaves it unset, as in pulumi-postgresql.
	info.SetAutonaming(255, "-")
	return info
}
