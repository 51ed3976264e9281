#!/usr/bin/env bash
# Runs every test of Functional.Telemetry.
# 1. Installs what the integration tests need when it is missing:
#    Debian's prometheus, python3-prometheus-client, python3-zstandard (the independent zstd decoder of the OTLP
#    compression tests) (and nodejs/npm if absent), and the npm packages of the
#    OTLP peer (tests/otlp-peer: @grpc/grpc-js, @opentelemetry/otlp-transformer, and
#    @opentelemetry/semantic-conventions, which the semantic-conventions constants are checked against).
# 2. Checks the formatting (Fantomas) and builds Functional.sln once.
# 3. Runs the suites from that build: the C# xunit projects with `dotnet test --no-build` (a .trx each) and, at the
#    same time, the F# Expecto executables (tests/Functional.Telemetry.Tests, tests/Functional.Telemetry.Interop.Tests,
#    property-tests) one after the other with `dotnet run --no-build -- --nunit-summary` (an NUnit XML file each).
#    Then packs the four packages from that build and checks them (tests/packaging/check-packages.fsx).
# 4. Prints one closing line `N passed, N failed`, counted from the result files, and exits non-zero on any failure:
#    a failed or ignored test, a suite whose result file is missing (it did not run or crashed), a build, format or
#    package failure.
# It takes no arguments: to run one suite, one list or one test, see docs/testing.md.
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

if [ "$#" -ne 0 ]; then
  log "test.sh takes no arguments (to run one suite or one test, see docs/testing.md)"
  exit 2
fi

results=.test-results
rm -rf "$results"
mkdir -p "$results"

# The suites. C#: the projects that reference the test SDK (xunit through `dotnet test`). F#: the Expecto
# executables (the projects that reference Expecto: the unit tests, the cross-checks against OpenTelemetry .NET in
# tests/Functional.Telemetry.Interop.Tests, the properties).
mapfile -t csharp_suites < <(grep -l 'Include="Microsoft.NET.Test.Sdk"' tests/*/*.csproj | sort)
mapfile -t expecto_suites < <(grep -l 'Include="Expecto"' tests/*/*.fsproj property-tests/*.fsproj | sort)

# One build of everything; the suites and the packages use it.
build_failed=0
csharp_status=0
declare -A expecto_status=()
if ! dotnet build Functional.sln -c Debug >"$results/build.log" 2>&1; then
  grep -E ': (error|warning) ' "$results/build.log" | sort -u
  log "dotnet build Functional.sln failed (above; the whole log is $results/build.log)"
  build_failed=1
fi

if [ "$build_failed" -eq 0 ]; then
  # The C# suites in the background. A test host that hangs is dumped and failed after 5 minutes instead of
  # holding CI until its limit.
  dotnet test Functional.sln --no-build -c Debug --logger "trx" --results-directory "$results/csharp" \
    --blame-hang-timeout 5m >"$results/csharp.log" 2>&1 &
  csharp_pid=$!

  # The Expecto suites, one after the other. A run that hangs is stopped after 15 minutes (its result file is then
  # missing, which fails the run).
  for project in "${expecto_suites[@]}"; do
    name=$(basename "$project" .fsproj)
    log "running $name (Expecto)"
    timeout --kill-after=30s 15m dotnet run --project "$project" --no-build -c Debug -- \
      --nunit-summary "$results/expecto/$name.xml" --no-spinner --summary
    code=$?
    expecto_status[$name]=$code
    [ "$code" -eq 0 ] || log "$name exited with $code"
  done

  wait "$csharp_pid"
  csharp_status=$?
  cat "$results/csharp.log"
  [ "$csharp_status" -eq 0 ] || log "dotnet test (C# suites) exited with $csharp_status"
fi

# The packages: packed from the Debug build the tests just used (--no-build: seconds, not a build), then their
# metadata, readme, license, dependencies and symbols checked (tests/packaging/check-packages.fsx).
package_failed=0
if [ "$build_failed" -ne 0 ]; then
  package_failed=1
elif ! dotnet pack Functional.sln --no-build -c Debug -o "$results/packages" >"$results/pack.log" 2>&1; then
  cat "$results/pack.log"
  log "dotnet pack failed (above)"
  package_failed=1
elif ! dotnet fsi tests/packaging/check-packages.fsx "$results/packages"; then
  package_failed=1
fi

# Counting, from the result files only.
passed=0
failed=0
missing=0
shopt -s nullglob

# xunit (.trx): one per C# test project, found by its assembly's name.
csharp_failed_before=$failed
for project in "${csharp_suites[@]}"; do
  name=$(basename "$project" .csproj)
  found=0
  for trx in "$results"/csharp/*.trx; do
    grep -qi "storage=\"[^\"]*/$name\.dll\"" "$trx" || continue
    found=1
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
    f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
  done
  if [ "$found" -eq 0 ]; then
    log "$name: no .trx result (the suite did not run or its host crashed): counted as a failure"
    missing=$((missing + 1))
  fi
done

if [ "$csharp_status" -ne 0 ] && [ "$failed" -eq "$csharp_failed_before" ]; then
  log "dotnet test exited with $csharp_status without a failed test (a crashed test host?): counted as a failure"
  failed=$((failed + 1))
fi

# Expecto (NUnit XML): total, errors (exceptions), failures (Expecto's Expect) and ignored tests (the project skips
# none: an ignored test counts as failed).
for project in "${expecto_suites[@]}"; do
  name=$(basename "$project" .fsproj)
  xml="$results/expecto/$name.xml"
  if [ ! -s "$xml" ]; then
    log "$name: no result file $xml (the suite did not run, crashed or hung): counted as a failure"
    missing=$((missing + 1))
    continue
  fi
  root=$(grep -o '<test-results [^>]*>' "$xml" | head -n 1)
  attribute() { printf '%s' "$root" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(attribute total)
  errors=$(attribute errors)
  failures=$(attribute failures)
  ignored=$(attribute ignored)
  if [ -z "$total" ]; then
    log "$name: $xml has no test counts: counted as a failure"
    missing=$((missing + 1))
    continue
  fi
  [ "${ignored:-0}" -eq 0 ] || log "$name: $ignored ignored test(s), counted as failed"
  bad=$((${errors:-0} + ${failures:-0} + ${ignored:-0}))
  passed=$((passed + total - bad))
  failed=$((failed + bad))
  if [ "${expecto_status[$name]:-0}" -ne 0 ] && [ "$bad" -eq 0 ]; then
    log "$name exited with ${expecto_status[$name]} without a failed test: counted as a failure"
    failed=$((failed + 1))
  fi
done

failed=$((failed + missing + build_failed + format_failed + package_failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
