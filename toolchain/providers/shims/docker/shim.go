// Package shim re-exports the kreuzwerker provider constructor, which upstream
// keeps in an internal package.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns only the SDKv2 half of the upstream muxed provider:
// pulumi-docker bridges that half alone, and the plugin-framework half holds
// Terraform actions and data sources that the Pulumi SDK does not expose.
func NewProvider(version string) *schema.Provider { return provider.New(version)() }
