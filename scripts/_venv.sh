# Sourced by the scripts: make sure the project venv (.venv, via uv and uv.lock) is current.
# uv itself is installed into .tools/ with pip when it is not on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Paths an operator gives are taken against where they ran the script (pgplatform_ops.caller).
export PGPLATFORM_CALLER_CWD="$PWD"
cd "$ROOT"
if command -v uv >/dev/null 2>&1; then
  UV=uv
else
  if [ ! -x .tools/bin/uv ]; then
    echo "[setup] installing uv into .tools/" >&2
    python3 -m venv .tools
    .tools/bin/pip install -q uv
  fi
  UV="$ROOT/.tools/bin/uv"
  # uv alone on a PATH entry (the language host runs it): .tools/bin also holds a python3.
  mkdir -p .tools/path
  ln -sf ../bin/uv ../bin/uvx .tools/path/
fi
"$UV" sync --frozen --quiet
PY="$ROOT/.venv/bin/python"
# Stacks deployed by scripts/up keep their state in .pulumi-state/: let `pulumi stack output`
# (scripts/verify, scripts/migrate) find it unless the caller chose another backend.
if [ -d "$ROOT/.pulumi-state" ] && [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  export PULUMI_BACKEND_URL="file://$ROOT/.pulumi-state"
  if [ -f "$ROOT/.pulumi-state/passphrase" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE_FILE="$ROOT/.pulumi-state/passphrase"
  fi
fi
# The toolchain scripts/up used (built from Go modules, or installed): its pulumi and plugins.
# Never downloads or builds here; scripts/up and scripts/toolchain do that.
eval "$("$PY" -m pgplatform_ops.toolchain --shell --existing)"
