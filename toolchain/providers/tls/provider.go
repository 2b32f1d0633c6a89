// Package tls bridges hashicorp/terraform-provider-tls so that it speaks the
// schema of the pulumi-tls Python SDK (tokens tls:index/*).
package tls

import (
	"github.com/hashicorp/terraform-provider-tls/shim"
	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Version must equal the pulumi-tls SDK version: the engine looks the plugin
// up by it and the schema is stamped with it.
var Version string

// Provider needs the bridge metadata produced by pulumi-tfgen for this same
// ProviderInfo; pass an empty document while generating it.
func Provider(bridgeMetadata []byte) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            pf.ShimProvider(shim.NewProvider()),
		Name:         "tls",
		Description:  "A Pulumi package to create TLS resources in Pulumi programs.",
		GitHubOrg:    "hashicorp",
		Version:      Version,
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
		Resources: map[string]*tfbridge.ResourceInfo{
			"tls_self_signed_cert": {PreStateUpgradeHook: fixupPreFrameworkSelfSignedCert},
		},
		// Same runtime switches as pulumi-tls 5.5: unversioned states count as
		// schema version 0, and previews are computed from the upstream plan.
		EnableZeroDefaultSchemaVersion: true,
		EnableAccurateBridgePreview:    true,
	}
	// pulumi-tls does not apply auto-aliases, so neither do we: its tokens have
	// never changed.
	info.MustComputeTokens(tokens.SingleModule("tls_", "index", tokens.MakeStandard("tls")))
	return info
}

// States written before upstream moved to the plugin framework (pulumi-tls 4.x)
// lack defaults the framework now fills in. Without this, every such cert
// shows a spurious diff (missing false booleans, empty subject strings) and
// fails validation (missing allowedUses). Versioned states are left alone.
func fixupPreFrameworkSelfSignedCert(args tfbridge.PreStateUpgradeHookArgs) (int64, resource.PropertyMap, error) {
	if args.ResourceSchemaVersion != 0 || args.PriorStateSchemaVersion != 0 {
		return args.PriorStateSchemaVersion, args.PriorState, nil
	}
	state := args.PriorState

	for _, k := range []resource.PropertyKey{"setSubjectKeyId", "setAuthorityKeyId", "isCaCertificate"} {
		if _, ok := state[k]; !ok {
			state[k] = resource.NewBoolProperty(false)
		}
	}

	if subject, ok := state["subject"]; ok && subject.IsObject() {
		fields := subject.ObjectValue()
		for _, k := range []resource.PropertyKey{
			"commonName", "country", "locality", "organization",
			"organizationalUnit", "postalCode", "province", "serialNumber",
		} {
			if v, ok := fields[k]; ok && v.IsString() && v.StringValue() == "" {
				delete(fields, k)
			}
		}
		if v, ok := fields["streetAddresses"]; ok && v.IsArray() && len(v.ArrayValue()) == 0 {
			delete(fields, "streetAddresses")
		}
	}

	if _, ok := state["allowedUses"]; !ok {
		state["allowedUses"] = resource.NewArrayProperty([]resource.PropertyValue{})
	}
	return 0, state, nil
}
