using System.Buffers;

namespace Functional.Telemetry.Bench;

/// <summary>
/// Where our OTLP trace export's bytes go: process-wide allocated bytes per 512-span batch of each stage
/// (size, encoding, whole export over http/protobuf and gRPC to the loopback sink). Outside BenchmarkDotNet.
/// </summary>
public static class OtlpAllocationProbe
{
    private static string PerCall(int calls, Action action)
    {
        for (var i = 0; i < 20; i++)
        {
            action();
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            action();
        }

        var elapsed = watch.Elapsed.TotalMicroseconds / calls;
        return $"{(GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls,10:F0} B/batch {elapsed,8:F1} us/batch";
    }

    public static int Run(int calls)
    {
        var sink = OtlpSink.StartAsync().GetAwaiter().GetResult();
        var activities = OtlpExportBenchmarks.RecordActivities();
        var limits = SpanLimitsModule.Default;
        var spans = activities.Select(a => ActivityConversion.ToSpan(limits, a)).ToArray();
        var resource = ResourceModule.Empty;
        // Two arrays used in turn: the exporter skips a batch whose Items array it was just given (a retry).
        var batches = new[] { new Batch<Span>(resource, [.. spans]), new Batch<Span>(resource, [.. spans]) };
        var turn = 0;
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        var d = OtlpOptionsModule.Default;
        OtlpOptions Options(Uri endpoint, OtlpProtocol protocol) => new(
            Microsoft.FSharp.Core.FSharpOption<Uri>.Some(endpoint), protocol, d.Headers, d.Timeout, d.Compression,
            d.CertificatePath, d.ClientCertificatePath, d.ClientKeyPath, d.Insecure, d.MaxRequestBytes,
            d.TemporalityPreference, d.ExponentialHistograms, d.Grpc);
        IExporter<Span> http = OtlpExporter.Traces(Options(new Uri(sink.HttpBase, "/v1/traces"), OtlpProtocol.HttpProtobuf));
        IExporter<Span> grpc = OtlpExporter.Traces(Options(sink.GrpcBase, OtlpProtocol.Grpc));

        Console.WriteLine($"TracesSize:            {PerCall(calls, () => OtlpProtobuf.TracesSize(resource, spans))}");
        Console.WriteLine($"TracesSize, twice:     {PerCall(calls, () => { OtlpProtobuf.TracesSize(resource, spans); OtlpProtobuf.TracesSize(resource, spans); })}");
        Console.WriteLine($"WriteTraces:           {PerCall(calls, () => { buffer.ResetWrittenCount(); OtlpProtobuf.WriteTraces(resource, spans, buffer); })}");
        Console.WriteLine($"TracesSize+WriteTraces:{PerCall(calls, () => { OtlpProtobuf.TracesSize(resource, spans); buffer.ResetWrittenCount(); OtlpProtobuf.WriteTraces(resource, spans, buffer); })}");
        Console.WriteLine($"body bytes:            {buffer.WrittenCount,10} B/batch");
        // The same spans without attributes and events: what the per-span skeleton costs.
        var bare = spans.Select(s => new Span(s.Context, s.ParentSpanId, s.ParentIsRemote, s.Name, s.Kind, s.StartTime, s.EndTime,
            Microsoft.FSharp.Collections.FSharpList<KeyValue>.Empty, Microsoft.FSharp.Collections.FSharpList<SpanEvent>.Empty,
            s.Links, s.Status, 0, 0, 0, s.Scope)).ToArray();
        Console.WriteLine($"TracesSize, bare:      {PerCall(calls, () => OtlpProtobuf.TracesSize(resource, bare))}");
        Console.WriteLine($"WriteTraces, bare:     {PerCall(calls, () => { buffer.ResetWrittenCount(); OtlpProtobuf.WriteTraces(resource, bare, buffer); })}");
        Console.WriteLine($"Export http/protobuf:  {PerCall(calls, () => http.Export(batches[turn++ & 1], CancellationToken.None).GetAwaiter().GetResult())}");
        Console.WriteLine($"Export grpc:           {PerCall(calls, () => grpc.Export(batches[turn++ & 1], CancellationToken.None).GetAwaiter().GetResult())}");
        var one = new[] { new Batch<Span>(resource, [spans[0]]), new Batch<Span>(resource, [spans[0]]) };
        Console.WriteLine($"Export 1 span http:    {PerCall(calls, () => http.Export(one[turn++ & 1], CancellationToken.None).GetAwaiter().GetResult())}");
        Console.WriteLine($"Export 1 span grpc:    {PerCall(calls, () => grpc.Export(one[turn++ & 1], CancellationToken.None).GetAwaiter().GetResult())}");
        Console.WriteLine($"last results: {http.Export(batches[turn++ & 1], CancellationToken.None).GetAwaiter().GetResult()}, {grpc.Export(batches[turn++ & 1], CancellationToken.None).GetAwaiter().GetResult()}; sink: {sink.Requests} requests, {sink.BodyBytes} body bytes");
        (http as IDisposable)?.Dispose();
        (grpc as IDisposable)?.Dispose();
        sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>
    /// Encodes the 512-span batch of <see cref="OtlpExportBenchmarks"/>, and its 2 metrics (512 points) and 512 log
    /// records, <paramref name="calls"/> times each into a reused buffer, in ten rounds, and prints the time per
    /// batch: a steady loop for a profiler (<c>perf record</c>), nothing else running.
    /// </summary>
    public static int EncodeLoop(int calls)
    {
        var limits = SpanLimitsModule.Default;
        var spans = OtlpExportBenchmarks.RecordActivities().Select(a => ActivityConversion.ToSpan(limits, a)).ToArray();
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        var metrics = OtlpMetricData.OursMetrics();
        var records = OtlpLogData.OursRecords(OtlpExportBenchmarks.BatchSize);
        // Ten rounds: on a shared machine, the fastest round is the one to compare.
        for (var round = 0; round < 10; round++)
        {
            Console.WriteLine($"WriteTraces:  {PerCall(calls / 10, () => { buffer.ResetWrittenCount(); OtlpProtobuf.WriteTraces(ResourceModule.Empty, spans, buffer); })}");
            Console.WriteLine($"WriteMetrics: {PerCall(calls / 10, () => { buffer.ResetWrittenCount(); OtlpProtobuf.WriteMetrics(ResourceModule.Empty, metrics, buffer); })}");
            Console.WriteLine($"WriteLogs:    {PerCall(calls / 10, () => { buffer.ResetWrittenCount(); OtlpProtobuf.WriteLogs(ResourceModule.Empty, records, buffer); })}");
        }

        return 0;
    }

    /// <summary>
    /// Exports the 512-span batch over http/protobuf (or gRPC) to the loopback sink <paramref name="calls"/> times,
    /// awaited as BenchmarkDotNet awaits it, and prints the time per export in ten rounds (for a profiler).
    /// </summary>
    public static int ExportLoop(int calls, bool grpc)
    {
        var sink = OtlpSink.StartAsync().GetAwaiter().GetResult();
        var limits = SpanLimitsModule.Default;
        var spans = OtlpExportBenchmarks.RecordActivities().Select(a => ActivityConversion.ToSpan(limits, a)).ToArray();
        var batches = new[] { new Batch<Span>(ResourceModule.Empty, [.. spans]), new Batch<Span>(ResourceModule.Empty, [.. spans]) };
        var turn = 0;
        var d = OtlpOptionsModule.Default;
        var endpoint = grpc ? sink.GrpcBase : new Uri(sink.HttpBase, "/v1/traces");
        IExporter<Span> exporter = OtlpExporter.Traces(new OtlpOptions(
            Microsoft.FSharp.Core.FSharpOption<Uri>.Some(endpoint), grpc ? OtlpProtocol.Grpc : OtlpProtocol.HttpProtobuf,
            d.Headers, d.Timeout, d.Compression, d.CertificatePath, d.ClientCertificatePath, d.ClientKeyPath, d.Insecure,
            d.MaxRequestBytes, d.TemporalityPreference, d.ExponentialHistograms, d.Grpc));
        var transport = ((OtlpExporter<Span>)exporter).Transport;
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        OtlpProtobuf.WriteTraces(ResourceModule.Empty, spans, buffer);
        var body = buffer.WrittenMemory.ToArray();
        // In turn, so that each round's three figures share the machine's conditions.
        for (var round = 0; round < 10; round++)
        {
            Console.WriteLine($"Export: {PerCall(calls / 10, () => exporter.Export(batches[turn++ & 1], CancellationToken.None).GetAwaiter().GetResult())}");
            Console.WriteLine($"Send:   {PerCall(calls / 10, () => transport.Send(body, CancellationToken.None).GetAwaiter().GetResult())}");
            Console.WriteLine($"Encode: {PerCall(calls / 10, () => { buffer.ResetWrittenCount(); OtlpProtobuf.WriteTraces(ResourceModule.Empty, spans, buffer); })}");
        }

        (exporter as IDisposable)?.Dispose();
        sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
