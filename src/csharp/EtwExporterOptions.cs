using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>Options of the ETW exporter (<see cref="LoggingBuilder.AddEtwExporter(string, Action{EtwExporterOptions})"/>,
/// <see cref="TracingBuilder.AddEtwExporter(string, Action{EtwExporterOptions})"/>). Events are written to a
/// self-describing EventSource named after the provider: ETW on Windows, EventPipe on Linux and macOS.</summary>
public sealed class EtwExporterOptions
{
    /// <summary>Allows <c>-</c> in the provider name (the ETW-only name mode of opentelemetry-etw-logs). Default
    /// true: an EventSource only writes ETW and EventPipe, which both accept <c>-</c>. Set it to false to hold the
    /// name to ASCII letters, digits and <c>_</c> (the portable rule that also suits Linux user_events). Either way
    /// the name is shorter than 234 characters.</summary>
    public bool EtwOnlyProviderName { get; set; } = true;

    /// <summary>Chooses each log record's event name (logs only). Default null: every record is named
    /// <c>Log</c>. A name that is not ASCII letters, digits and <c>_</c> (1-255 characters) falls back to
    /// <c>Log</c>.</summary>
    public Func<LogRecord, string>? LogEventName { get; set; }

    /// <summary>Resource attribute keys copied into PartC of every event. Default none.</summary>
    public IList<string> ResourceAttributes { get; } = new List<string>();

    internal EtwOptions ToOptions(string providerName) =>
        new(
            Guard.NotNull(providerName, nameof(providerName)),
            EtwOnlyProviderName,
            LogEventName is { } choose
                ? FSharpOption<FSharpFunc<LogRecord, string>>.Some(FuncConvert.FromFunc(choose))
                : FSharpOption<FSharpFunc<LogRecord, string>>.None,
            ListModule.OfSeq(ResourceAttributes));
}
