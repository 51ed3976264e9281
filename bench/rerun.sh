#!/usr/bin/env bash
# Reruns the headline rows of docs/benchmarks.md (issue 17's table) side by side with OpenTelemetry .NET, several
# times, each run in its own BenchmarkDotNet artifacts directory, then draws docs/benchmarks.svg from all of them
# (bench/plot.fsx: median ratio per row, whiskers from the smallest to the largest run), and prints the table of
# docs/benchmarks.md's issue 17 section.
#
#   bench/rerun.sh [runs, default 3] [results directory, default bench/results]
#
# One run of these rows takes 20-30 minutes on a 2-core machine. Run nothing else meanwhile: BenchmarkDotNet measures
# wall-clock time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
out=${2:-bench/results}
rows=(
  '*TracingBenchmarks.Span_*' '*TracingBenchmarks.NativeSpan_Ours'
  '*LoggingBenchmarks.Log_*' '*LoggingBenchmarks.LogFormatted_*'
  '*MetricsBenchmarks.Counter3_*' '*MetricsBenchmarks.Histogram3_*'
  '*EndToEndBenchmarks.*'
  '*OtlpExportBenchmarks.OfficialHttp' '*OtlpExportBenchmarks.OursHttp'
  '*OtlpExportBenchmarks.OfficialGrpc' '*OtlpExportBenchmarks.OursGrpc'
)
for run in $(seq 1 "$runs"); do
  dotnet run -c Release --project bench/Functional.Telemetry.Bench -- \
    --filter "${rows[@]}" --buildTimeout 1500 --artifacts "$out/run$run"
done
# The CSV reports go next to the plot (docs/benchmark-runs/runN), so the plot can be drawn again from what is committed.
rm -rf docs/benchmark-runs
for run in $(seq 1 "$runs"); do
  mkdir -p "docs/benchmark-runs/run$run"
  cp "$out/run$run/results/"*-report.csv "docs/benchmark-runs/run$run/"
done
dotnet fsi bench/plot.fsx docs/benchmarks.svg docs/benchmark-runs
