//go:build tools

// The engine's binaries are main packages of these modules; this file only pins them in go.mod.
package engine

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
)
