#!/usr/bin/env bash
# Runs every test of Functional.Telemetry.
# 1. Installs what the integration tests need when it is missing:
#    Debian's prometheus, python3-prometheus-client, python3-zstandard (the independent zstd decoder of the OTLP
#    compression tests) (and nodejs/npm if absent), and the npm packages of the
#    OTLP peer (tests/otlp-peer: @grpc/grpc-js, @opentelemetry/otlp-transformer, and
#    @opentelemetry/semantic-conventions, which the semantic-conventions constants are checked against).
# 2. Checks the formatting (Fantomas), then runs `dotnet test Functional.sln`, writing .trx results, then packs
#    the four packages from that build and checks them (tests/packaging/check-packages.fsx).
# 3. Prints one closing line `N passed, N failed`, counted from the .trx files, and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

log() { printf '[test.sh] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

install_debian_packages() {
  local missing=()
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  /usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || missing+=(python3-prometheus-client)
  /usr/bin/python3 -c 'import zstandard' >/dev/null 2>&1 || missing+=(python3-zstandard)
  # The OTLP interop peer runs on Node.js (Debian's nodejs and npm when the machine has none).
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found: cannot install ${missing[*]} (the tests that need them will fail)"
    return 0
  fi
  log "installing ${missing[*]} with apt-get"
  as_root apt-get update -qq >/dev/null 2>&1 || true
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    log "apt-get install failed (the tests that need ${missing[*]} will fail)"
  fi
  # The Debian package starts a Prometheus service on :9090; tests start their own on free ports.
  as_root systemctl stop prometheus >/dev/null 2>&1 || true
}

# The version of a package that tests/otlp-peer/package.json pins, and the version installed in its node_modules.
pinned_version() { sed -n "s|^ *\"$2\": \"\([^\"]*\)\".*|\1|p" "$1/package.json"; }
installed_version() { sed -n 's|^  "version": "\([^"]*\)".*|\1|p' "$1/node_modules/$2/package.json" 2>/dev/null; }

install_node_peer() {
  local dir=tests/otlp-peer
  [ -f "$dir/package.json" ] || return 0
  # @opentelemetry/semantic-conventions also comes in as a dependency of otlp-transformer, possibly at another version:
  # the constants test needs the pinned one.
  local semconv=@opentelemetry/semantic-conventions
  if [ -d "$dir/node_modules/@grpc/grpc-js" ] && [ -d "$dir/node_modules/@opentelemetry/otlp-transformer" ] &&
    [ "$(installed_version "$dir" "$semconv")" = "$(pinned_version "$dir" "$semconv")" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    log "npm not found: cannot install the OTLP peer (the interop tests will fail)"
    return 0
  fi
  log "installing the OTLP peer's npm packages"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null) || log "npm install failed (the interop tests will fail)"
}

install_debian_packages
install_node_peer

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The format check (Fantomas, settings in .editorconfig): drift fails the run like a failing test.
format_failed=0
if dotnet tool restore >/dev/null && dotnet fantomas --check src tests property-tests bench examples; then
  log "fantomas: the tree is formatted"
else
  log "fantomas: files above are not formatted (run: dotnet fantomas src tests property-tests bench examples)"
  format_failed=1
fi

results=.test-results
rm -rf "$results"
# A test host that hangs is dumped and failed after 5 minutes instead of holding CI until its limit.
dotnet test Functional.sln --logger "trx" --results-directory "$results" --blame-hang-timeout 5m "$@"
status=$?

# The packages: packed from the Debug build the tests just used (--no-build: seconds, not a build), then their
# metadata, readme, license, dependencies and symbols checked (tests/packaging/check-packages.fsx).
package_failed=0
if ! dotnet pack Functional.sln --no-build -c Debug -o "$results/packages" >"$results/pack.log" 2>&1; then
  cat "$results/pack.log"
  log "dotnet pack failed (above)"
  package_failed=1
elif ! dotnet fsi tests/packaging/check-packages.fsx "$results/packages"; then
  package_failed=1
fi

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  log "dotnet test exited with $status (a build error or a crashed test host): counted as a failure"
  failed=1
fi

failed=$((failed + format_failed + package_failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
