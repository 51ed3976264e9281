using BenchmarkDotNet.Running;
using Functional.Telemetry.Bench;

// `-- alloc ours|official [spans]` runs the allocation probe instead of BenchmarkDotNet.
if (args.Length >= 2 && args[0] == "alloc")
{
    return AllocationProbe.Run(args[1], args.Length >= 3 ? int.Parse(args[2]) : 1_000_000);
}

// `-- metrics ours|official [calls] [row prefix]` times the metrics rows with a Stopwatch instead of BenchmarkDotNet.
if (args.Length >= 2 && args[0] == "metrics")
{
    return MetricsProbe.Run(args[1], args.Length >= 3 ? int.Parse(args[2]) : 10_000_000, args.Length >= 4 ? args[3] : null);
}

// `-- bound ours|official [TraceBased|AlwaysOff] [calls] [rounds]` times the bound-instrument rows by wall clock and
// by the thread's CPU time (for a loaded machine).
if (args.Length >= 2 && args[0] == "bound")
{
    return BoundProbe.Run(
        args[1],
        args.Length >= 3 ? Enum.Parse<BenchExemplarFilter>(args[2]) : BenchExemplarFilter.TraceBased,
        args.Length >= 4 ? int.Parse(args[3]) : 5_000_000,
        args.Length >= 5 ? int.Parse(args[4]) : 15);
}

// `-- expo-proto [calls]` times the exponential histogram prototype (see ExponentialProto).
if (args.Length >= 1 && args[0] == "expo-proto")
{
    return ExponentialProto.Run(args.Length >= 2 ? int.Parse(args[1]) : 20_000_000);
}

// `-- parts [count]` times the pieces of a direct span.
if (args.Length >= 1 && args[0] == "parts")
{
    return PartsProbe.Run(args.Length >= 2 ? int.Parse(args[1]) : 5_000_000);
}

// `-- alloc-logs ours|official [records]` runs the log allocation probe.
if (args.Length >= 2 && args[0] == "alloc-logs")
{
    return LogAllocationProbe.Run(args[1], args.Length >= 3 ? int.Parse(args[2]) : 1_000_000);
}

// `-- otlp-alloc [batches]` prints our OTLP trace export's allocated bytes per 512-span batch, stage by stage.
if (args.Length >= 1 && args[0] == "otlp-alloc")
{
    return OtlpAllocationProbe.Run(args.Length >= 2 ? int.Parse(args[1]) : 2_000);
}

// `-- otlp-encode [batches]` encodes the 512-span batch in a loop and prints the time per batch (for a profiler).
if (args.Length >= 1 && args[0] == "otlp-encode")
{
    return OtlpAllocationProbe.EncodeLoop(args.Length >= 2 ? int.Parse(args[1]) : 100_000);
}

// `-- otlp-export [batches] [grpc]` exports the 512-span batch to the loopback sink in a loop (for a profiler).
if (args.Length >= 1 && args[0] == "otlp-export")
{
    return OtlpAllocationProbe.ExportLoop(args.Length >= 2 ? int.Parse(args[1]) : 20_000, args.Length >= 3 && args[2] == "grpc");
}

// `-- otlp-compress [rounds]` times gzip and zstd on the encoded 512-span request (outside BenchmarkDotNet).
if (args.Length >= 1 && args[0] == "otlp-compress")
{
    return OtlpExportBenchmarks.CompressProbe(args.Length >= 2 ? int.Parse(args[1]) : 15);
}

// `-- e2e-cpu ours|official [rounds]` prints the process CPU time per span of the end-to-end OTLP path.
if (args.Length >= 2 && args[0] == "e2e-cpu")
{
    return EndToEndProbe.Run(args[1], args.Length >= 3 ? int.Parse(args[2]) : 200);
}

BenchmarkSwitcher.FromAssembly(typeof(TracingBenchmarks).Assembly).Run(args);
return 0;
