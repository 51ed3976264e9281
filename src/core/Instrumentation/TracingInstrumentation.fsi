namespace Functional.Telemetry.FSharp

open System
open Functional.Telemetry

/// The instrumentation of a library that makes its own Activities (HttpClient, Grpc.Net.Client): the
/// ActivitySources whose spans it records, and what it observes while the SDK runs to complete those spans per the
/// semantic conventions. Made by `Tracing.addHttpClientInstrumentation` and `Tracing.addGrpcClientInstrumentation`.
[<Sealed>]
type TracingInstrumentation =
    /// An instrumentation named `name` recording `sources`; `start` begins its observation when the SDK starts, with
    /// the configuration's environment lookup (disposed at shutdown), and `processor` runs on its spans before the
    /// configuration's processors.
    internal new:
        name: string * sources: string list * start: (EnvLookup -> IDisposable) * processor: Processor<Span> option ->
            TracingInstrumentation

    /// An instrumentation of a library, for `Tracing.addInstrumentation`: `start` is called when the SDK starts, with
    /// the configuration's environment lookup (for the instrumentation's own `OTEL_INSTRUMENTATION_*` settings), and
    /// what it returns is disposed when the SDK shuts down. An exception from either is reported through the SDK's
    /// diagnostics, and the SDK runs without the instrumentation.
    /// <exception cref="T:System.ArgumentException">The name is blank.</exception>
    static member Create: name: string * start: (EnvLookup -> IDisposable) -> TracingInstrumentation

    /// The instrumented library (`HttpClient`, `GrpcClient`): a configuration holds one instrumentation of a name,
    /// the one added last.
    member Name: string

    /// The ActivitySource names whose spans it records.
    member Sources: string list

    /// Begins observing; disposing the result stops.
    member internal Start: EnvLookup -> IDisposable

    /// What it changes on ended spans, if anything.
    member internal Processor: Processor<Span> option
