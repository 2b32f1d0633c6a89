// Lives under the upstream module's import path so that Go's internal-package
// rule lets it import internal/provider; wired in by a replace in ../../go.mod.
module github.com/terraform-providers/terraform-provider-docker/shim

go 1.26.0

require (
	github.com/hashicorp/terraform-plugin-sdk/v2 v2.40.1
	github.com/terraform-providers/terraform-provider-docker v0.0.0
)
