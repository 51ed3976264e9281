using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>
/// Settings of the Zipkin exporter (Zipkin's JSON v2 API, <c>POST /api/v2/spans</c>). Every property left unset keeps
/// what the <c>OTEL_EXPORTER_ZIPKIN_*</c> environment variables say, else the specification's default. Options are
/// checked when the SDK starts: an endpoint that is not an absolute http/https URL, or a timeout that is not
/// positive, is an <see cref="ArgumentException"/>. See docs/zipkin.md.
/// </summary>
public sealed class ZipkinExporterOptions
{
    /// <summary>The full URL spans are posted to, used as it is (<c>OTEL_EXPORTER_ZIPKIN_ENDPOINT</c>). Default
    /// <c>http://localhost:9411/api/v2/spans</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Deadline of one request (<c>OTEL_EXPORTER_ZIPKIN_TIMEOUT</c>, in milliseconds). Default 10 s.</summary>
    public TimeSpan? Timeout { get; set; }

    internal FSharpFunc<ZipkinOptions, ZipkinOptions> ToConfigure() =>
        FuncConvert.FromFunc<ZipkinOptions, ZipkinOptions>(o => new ZipkinOptions(Endpoint ?? o.Endpoint, Timeout ?? o.Timeout));
}

/// <summary>How the trace ids of new traces are made (see <see cref="TracingBuilder.SetIdGenerator"/>).</summary>
public enum TraceIdGenerator
{
    /// <summary>The process's generator as it is: .NET's random trace ids (the default).</summary>
    Random,

    /// <summary>AWS X-Ray trace ids: the first 4 bytes are the trace's start time in Unix seconds (big-endian), the
    /// other 12 random. Process-wide: .NET's <c>Activity.TraceIdGenerator</c> is set while the SDK runs.</summary>
    AwsXRay,
}
