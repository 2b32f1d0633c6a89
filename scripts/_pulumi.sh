# Sourced by scripts/up and scripts/preview after _venv.sh, with STACK set: the Pulumi toolchain
# (scripts/toolchain: on PATH, installed, or built from Go modules), the backend (the caller's
# $PULUMI_BACKEND_URL, else the local file backend .pulumi-state/), the passphrase (the caller's,
# else one generated into .pulumi-state/passphrase on first use), and the stack selected.
if [ ! -f "$ROOT/Pulumi.$STACK.yaml" ]; then
  echo "scripts/$(basename "$0"): no stack file Pulumi.$STACK.yaml in $ROOT. Fix: name one of: $(cd "$ROOT" && ls Pulumi.*.yaml | sed 's/Pulumi\.\(.*\)\.yaml/\1/' | tr '\n' ' ')" >&2
  exit 2
fi
exports="$("$PY" -m pgplatform_ops.toolchain --shell)" || exit 1
eval "$exports"
if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  mkdir -p "$ROOT/.pulumi-state"
  export PULUMI_BACKEND_URL="file://$ROOT/.pulumi-state"
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  mkdir -p "$ROOT/.pulumi-state"
  if [ ! -f "$ROOT/.pulumi-state/passphrase" ]; then
    (umask 077; "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$ROOT/.pulumi-state/passphrase")
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE="$ROOT/.pulumi-state/passphrase"
fi
# The CLI rewrites the stack file in its own YAML layout and adds the passphrase's salt, which
# the state keeps too: the operator's file (comments, layout) is put back as it was.
stack_file="$ROOT/Pulumi.$STACK.yaml"
saved_stack_file="$(mktemp)"
cp -p "$stack_file" "$saved_stack_file"
trap 'cp -p "$saved_stack_file" "$stack_file"; rm -f "$saved_stack_file"' EXIT
pulumi stack select --create --secrets-provider passphrase --non-interactive "$STACK"
