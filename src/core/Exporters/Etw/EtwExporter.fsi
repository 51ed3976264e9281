namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Writes each log record as an ETW event (EventSource in TraceLogging format; EventPipe on Linux and macOS):
/// see docs/etw.md. The provider name is checked here (ArgumentException); a name another EventSource of the
/// process already has is reported as a self-diagnostics error, and nothing is written. With no session
/// listening, a record costs one `IsEnabled` check (and the SDK does not capture records for it at all).
[<Sealed>]
type EtwLogExporter =
    /// An exporter writing to the provider `options.ProviderName`.
    new: options: EtwOptions -> EtwLogExporter

    /// The provider (EventSource) name.
    member ProviderName: string

    interface IExporter<LogRecord>
    interface IExportInterest
    interface IViewExporter

/// Writes each span as an ETW event named `Span` (keyword 2): see docs/etw.md. The provider name is checked as
/// for `EtwLogExporter`.
[<Sealed>]
type EtwSpanExporter =
    /// An exporter writing to the provider `options.ProviderName`.
    new: options: EtwOptions -> EtwSpanExporter

    /// The provider (EventSource) name.
    member ProviderName: string

    interface IExporter<Span>
    interface IExportInterest
    interface IViewExporter
