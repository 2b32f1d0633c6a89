// Package shim re-exports the upstream random provider constructor, which
// upstream keeps in an internal package.
package shim

import (
	pfprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/terraform-providers/terraform-provider-random/internal/provider"
)

func NewProvider() pfprovider.Provider { return provider.New() }
