#!/usr/bin/env bash
# Build the real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager) and Helm
# from Go modules with the ordinary `go` client, pinned in versions.env and cached outside the repository.
# Idempotent: a cached binary is reused. Prints the bin directory on the last line of stdout.
#
# usage: build.sh [all|core|helm|egctl|traefik|pulumi]
#   all     etcd, kube-apiserver, kube-controller-manager, Helm, egctl, Traefik (default)
#   core    etcd, kube-apiserver, kube-controller-manager, Helm (what most integration tests need)
#   helm    Helm only (the unit tests template the real charts with it)
#   egctl   Envoy Gateway's egctl (the integration suite asks its translator for route status)
#   traefik Traefik, the proxy the integration suite sends real requests through
#   pulumi  the real Pulumi engine (CLI, Python language host, kubernetes and random providers),
#           built by $LANGSMITH_ENGINE_SRC/build.sh (default ../shared/engine-src) into the cache;
#           prints the engine's bin directory. Without the source, a `pulumi` on the PATH (the
#           official CLI, which fetches its providers itself) is used as it is.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${LANGSMITH_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/langsmith-dataplane/engine}"
bin="$cache/bin-$KUBERNETES_VERSION-$ETCD_VERSION"
mkdir -p "$bin"
export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
log() { echo "engine: $*" >&2; }

build_etcd() {
  [ -x "$bin/etcd" ] && "$bin/etcd" --version >/dev/null 2>&1 && return
  local dir="$cache/src/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  cat > "$dir/go.mod" <<MOD
module langsmith-dataplane/engine/etcd

go 1.24

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  cat > "$dir/main.go" <<'SRC'
// etcd, built from the go.etcd.io/etcd/server/v3 module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
SRC
  log "building etcd $ETCD_VERSION"
  (cd "$dir" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" .)
}

build_kubernetes() {
  if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] \
     && "$bin/kube-apiserver" --version 2>/dev/null | grep -q "$KUBERNETES_VERSION"; then
    return
  fi
  local dir="$cache/src/kubernetes-$KUBERNETES_VERSION"
  local staging="v0.${KUBERNETES_VERSION#v1.}"
  mkdir -p "$dir"
  log "downloading k8s.io/kubernetes $KUBERNETES_VERSION"
  local gomod
  gomod="$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  {
    echo "module langsmith-dataplane/engine/kubernetes"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    echo
    echo "replace ("
    # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with local
    # paths; point each at its published version instead.
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$gomod" |
      while read -r module; do echo "	$module => $module $staging"; done
    echo ")"
  } > "$dir/go.mod"
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1"
  ldflags+=" -X $pkg.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2) -X $pkg.gitTreeState=clean"
  ldflags+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
  for cmd in kube-apiserver kube-controller-manager; do
    log "building $cmd $KUBERNETES_VERSION (several minutes the first time)"
    (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin/$cmd" "k8s.io/kubernetes/cmd/$cmd")
  done
}

build_helm() {
  [ -x "$bin/helm" ] && "$bin/helm" version --short 2>/dev/null | grep -q "$HELM_VERSION" && return
  local dir="$cache/src/helm-$HELM_VERSION"
  mkdir -p "$dir"
  cat > "$dir/go.mod" <<MOD
module langsmith-dataplane/engine/helm

go 1.24

require helm.sh/helm/v3 $HELM_VERSION
MOD
  log "building helm $HELM_VERSION"
  (cd "$dir" && go build -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    -o "$bin/helm" helm.sh/helm/v3/cmd/helm)
}

build_egctl() {
  [ -x "$bin/egctl" ] && "$bin/egctl" version --remote=false 2>/dev/null | grep -q "$ENVOY_GATEWAY_VERSION" && return
  local dir="$cache/src/egctl-$ENVOY_GATEWAY_VERSION"
  mkdir -p "$dir"
  cat > "$dir/go.mod" <<MOD
module langsmith-dataplane/engine/egctl

go 1.24

require github.com/envoyproxy/gateway $ENVOY_GATEWAY_VERSION
MOD
  log "building egctl $ENVOY_GATEWAY_VERSION (several minutes the first time)"
  (cd "$dir" && GONOSUMDB="$ENVOY_GATEWAY_NOSUMDB" go build -trimpath \
    -ldflags "-s -w -X github.com/envoyproxy/gateway/internal/cmd/version.envoyGatewayVersion=$ENVOY_GATEWAY_VERSION" \
    -o "$bin/egctl" github.com/envoyproxy/gateway/cmd/egctl)
}

build_traefik() {
  [ -x "$bin/traefik" ] && "$bin/traefik" version 2>/dev/null | grep -q "${TRAEFIK_VERSION#v}" && return
  local dir="$cache/src/traefik-$TRAEFIK_VERSION"
  mkdir -p "$dir"
  local gomod lego_version lego_dir
  gomod="$(cd "$dir" && go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  lego_version="$(sed -n 's#^[[:space:]]*github.com/go-acme/lego/v4 \(v[^ ]*\).*#\1#p' "$gomod" | head -n 1)"
  lego_dir="$(cd "$dir" && go mod download -json "github.com/go-acme/lego/v4@$lego_version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  # One change to Traefik's dependencies: lego's table of ~170 DNS-01 challenge providers (one
  # cloud SDK each) is left empty. ACME DNS challenges are not what the suite tests; routing,
  # TLS and the Kubernetes providers are Traefik's own, unchanged code.
  rm -rf "$dir/lego" && cp -r "$lego_dir" "$dir/lego" && chmod -R u+w "$dir/lego"
  cat > "$dir/lego/providers/dns/zz_gen_dns_providers.go" <<'SRC'
// Package dns: this build carries no DNS-01 challenge providers (see tools/engine/build.sh).
package dns

import (
	"fmt"

	"github.com/go-acme/lego/v4/challenge"
)

// NewDNSChallengeProviderByName refuses every provider in this build.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	return nil, fmt.Errorf("unrecognized DNS provider: %s (built without DNS-01 providers)", name)
}
SRC
  {
    echo "module langsmith-dataplane/engine/traefik"
    echo
    echo "go 1.24"
    echo
    echo "require github.com/traefik/traefik/v3 $TRAEFIK_VERSION"
    echo
    # A dependency's replace and exclude directives do not apply to its dependents: copy them.
    sed -n '/^replace (/,/^)/p' "$gomod"
    sed -n 's/^exclude \(.*\)/exclude \1/p' "$gomod"
    echo "replace github.com/go-acme/lego/v4 => ./lego"
  } > "$dir/go.mod"
  log "building traefik $TRAEFIK_VERSION (several minutes the first time)"
  (cd "$dir" && go build -trimpath \
    -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
    -o "$bin/traefik" github.com/traefik/traefik/v3/cmd/traefik)
}

# What a complete engine directory holds (as $LANGSMITH_ENGINE_SRC/build.sh makes it).
PULUMI_BINARIES=(pulumi pulumi-language-python pulumi-language-python-exec
  pulumi-resource-pulumi-python pulumi-resource-kubernetes pulumi-resource-random)

build_pulumi() {
  local src="${LANGSMITH_ENGINE_SRC:-$here/../../../shared/engine-src}"
  local out="$cache/pulumi-$PULUMI_VERSION" b complete=1
  for b in "${PULUMI_BINARIES[@]}"; do [ -x "$out/$b" ] || complete=0; done
  if [ "$complete" = 1 ]; then
    # A cached engine is reused before any source is asked for (a clone has none beside it).
    log "reusing the cached Pulumi engine $PULUMI_VERSION in $out"
    echo "$out"
  elif [ -x "$src/build.sh" ]; then
    log "building the Pulumi engine $PULUMI_VERSION from $src (about 17 min cold, 1 min warm)"
    "$src/build.sh" "$out" >&2
    echo "$out"
  elif command -v pulumi >/dev/null; then
    log "no engine source at $src: using $(command -v pulumi)"
    dirname "$(command -v pulumi)"
  else
    log "no engine source at $src (set LANGSMITH_ENGINE_SRC) and no pulumi on the PATH"
    return 1
  fi
}

case "${1:-all}" in
  helm) build_helm; echo "$bin" ;;
  egctl) build_egctl; echo "$bin" ;;
  traefik) build_traefik; echo "$bin" ;;
  pulumi) build_pulumi ;;
  core) build_etcd; build_kubernetes; build_helm; echo "$bin" ;;
  all) build_etcd; build_kubernetes; build_helm; build_egctl; build_traefik; echo "$bin" ;;
  *) echo "usage: $0 [all|core|helm|egctl|traefik|pulumi]" >&2; exit 2 ;;
esac
