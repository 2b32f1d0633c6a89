// Package random bridges hashicorp/terraform-provider-random so that it speaks
// the schema of the pulumi-random Python SDK (tokens random:index/random*).
package random

import (
	"context"
	"errors"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// Version must equal the pulumi-random SDK version: the engine looks the plugin
// up by it and the schema is stamped with it.
var Version string

// Provider needs the bridge metadata produced by pulumi-tfgen for this same
// ProviderInfo; pass an empty document while generating it.
func Provider(bridgeMetadata []byte) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            pf.ShimProvider(shim.NewProvider()),
		Name:         "random",
		Description:  "A Pulumi package to safely use randomness in Pulumi programs.",
		GitHubOrg:    "hashicorp",
		Version:      Version,
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
		Resources: map[string]*tfbridge.ResourceInfo{
			"random_string": {PreStateUpgradeHook: assumeRandomStringV1},
			"random_bytes":  {ComputeID: randomBytesID},
		},
		// Same runtime switches as pulumi-random 4.21: the plan-based preview and
		// raw-state deltas change what is written to the state file.
		EnableAccurateBridgePreview: true,
		EnableRawStateDelta:         true,
	}

	// pulumi-random prefixes every type name with "Random" (random_password ->
	// RandomPassword), unlike the bridge's default naming.
	prefixed := func(module, name string) (string, error) {
		return tokens.MakeStandard("random")(module, "Random"+name)
	}
	info.MustComputeTokens(tokens.SingleModule("random_", "index", prefixed))
	info.MustApplyAutoAliases()
	return info
}

// Old pulumi-random releases wrote RandomString states without a schema
// version. Treating them as V1 lets the upstream V1->V3 upgraders run, which
// are idempotent, instead of failing on a V0 state that never existed.
func assumeRandomStringV1(args tfbridge.PreStateUpgradeHookArgs) (int64, resource.PropertyMap, error) {
	if args.PriorStateSchemaVersion == 0 {
		return 1, args.PriorState, nil
	}
	return args.PriorStateSchemaVersion, args.PriorState, nil
}

// random_bytes has no id attribute upstream; the bridge needs one, and the
// base64 value is what pulumi-random has always used. It is a secret in
// Pulumi, but resource IDs cannot carry secret markers, so it is unwrapped.
func randomBytesID(_ context.Context, state resource.PropertyMap) (resource.ID, error) {
	v, ok := state["base64"]
	if !ok {
		return "", errors.New("random_bytes: state has no base64 property")
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		return "", errors.New("random_bytes: base64 property is not a string")
	}
	return resource.ID(v.StringValue()), nil
}
