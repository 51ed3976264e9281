namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Net.Http

/// The Zipkin exporter: posts each batch of spans as one Zipkin JSON v2 request (`ListOfSpans`) to the configured
/// endpoint, mapped by the specification's Zipkin rules (docs/zipkin.md). Answers are classified as for OTLP/HTTP
/// (429, 502, 503, 504 and connection failures are retried; Retry-After is honoured), and, while retries are on,
/// requests the receiver cannot take wait in the SDK's export store as OTLP's do (a directory store keeps them in its
/// `zipkin` subdirectory). It owns no thread; the runner calls it.
[<Sealed>]
type ZipkinExporter =
    /// An exporter over `handler` (tests), which it disposes; `fallbackServiceName` names spans whose resource has
    /// no `service.name`.
    internal new: options: ZipkinOptions * handler: HttpMessageHandler * fallbackServiceName: string -> ZipkinExporter

    /// The options it sends with.
    member Options: ZipkinOptions

    interface IExporter<Span>
    interface IRequestExporter<Span>
    interface IExportDestination
    interface IDisposable

/// Creating Zipkin exporters.
[<RequireQualifiedAccess>]
module ZipkinExporter =
    /// A Zipkin exporter with these options, checked (`ZipkinOptions.validate`: an ArgumentException naming the bad
    /// setting).
    [<CompiledName("Create")>]
    val create: options: ZipkinOptions -> ZipkinExporter

    /// The request kind of Zipkin requests in an export store: `zipkin;application/json` (a directory store keeps
    /// them apart from OTLP's `traces`).
    val internal requestKind: string
