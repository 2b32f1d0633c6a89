// Package shim re-exports the upstream tls provider constructor, which
// upstream keeps in an internal package.
package shim

import (
	pfprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-provider-tls/internal/provider"
)

func NewProvider() pfprovider.Provider { return provider.New() }
