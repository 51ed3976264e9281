namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// The standard propagators and their composition.
[<RequireQualifiedAccess>]
module Propagators =
    /// A getter over header name/value pairs, matching names case-insensitively (for tests and simple carriers).
    [<CompiledName("GetterOf")>]
    val getterOf: headers: (string * string) list -> (string -> string list)

    /// W3C Trace Context: `traceparent` and `tracestate`. Injects nothing for a missing or invalid span context;
    /// extracts only when exactly one valid `traceparent` is present (tracestate values combined, invalid ones ignored).
    [<CompiledName("TraceContext")>]
    val traceContext: TextMapPropagator

    /// W3C Baggage: the `baggage` header. Injects nothing for empty baggage; extracted baggage replaces the context's.
    [<CompiledName("Baggage")>]
    val baggage: TextMapPropagator

    /// B3 single header: injects `b3: {trace id}-{span id}-{1|0}`; extracts the single header, or else the multi headers.
    [<CompiledName("B3")>]
    val b3: TextMapPropagator

    /// B3 multiple headers: injects `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`; extracts them (16-character
    /// trace ids left-padded with zeros, `X-B3-Flags: 1` means sampled), or else the single `b3` header.
    [<CompiledName("B3Multi")>]
    val b3Multi: TextMapPropagator

    /// Jaeger: `uber-trace-id: {trace id}:{span id}:0:{flags}` (ids left-padded, `%3A` accepted for `:`). Jaeger baggage (`uberctx-*`) is not handled.
    [<CompiledName("Jaeger")>]
    val jaeger: TextMapPropagator

    /// AWS X-Ray: `X-Amzn-Trace-Id: Root=1-{8 hex}-{24 hex};Parent={16 hex};Sampled={0|1}` (the trace id split
    /// after its 8th hex digit). Extracts when Root and Parent are valid; `Sampled` missing, `0`, `?` or `d` is
    /// not sampled; other keys (`Self`, `Lineage`) are ignored; a malformed part or Sampled value rejects the header.
    [<CompiledName("XRay")>]
    val xray: TextMapPropagator

    /// Propagates nothing.
    [<CompiledName("None")>]
    val none: TextMapPropagator

    /// Runs propagators in order: inject concatenates their headers, extract folds left to right.
    [<CompiledName("Composite")>]
    val composite: propagators: TextMapPropagator list -> TextMapPropagator

    /// `tracecontext,baggage`, the OpenTelemetry default.
    [<CompiledName("Default")>]
    val defaults: TextMapPropagator

    /// Reads `OTEL_PROPAGATORS`: a comma list of `tracecontext`, `baggage`, `b3`, `b3multi`, `jaeger`, `xray`, `none`
    /// (case-insensitive, repeats ignored). Unset gives the default; unknown names are skipped with a warning; `none`
    /// alone propagates nothing (with other names it is ignored with a warning); if no known name remains, the default is used.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> TextMapPropagator * ConfigWarning list
