// Lives under the upstream module's import path so that Go's internal-package
// rule lets it import internal/provider; wired in by a replace in ../../go.mod.
module github.com/terraform-providers/terraform-provider-random/shim

go 1.26.0

require (
	github.com/hashicorp/terraform-plugin-framework v1.19.0
	github.com/terraform-providers/terraform-provider-random v1.3.2-0.20260513075824-f8d869dc98d9
)
