namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// Settings of the Zipkin exporter (Zipkin's JSON v2 API, `POST /api/v2/spans`).
type ZipkinOptions =
    {
        /// The full URL spans are posted to, used as it is. Default `http://localhost:9411/api/v2/spans`.
        Endpoint: Uri
        /// Deadline of one request. Default 10 s.
        Timeout: TimeSpan
    }

/// Zipkin exporter settings: defaults, environment variables and validation.
[<RequireQualifiedAccess>]
module ZipkinOptions =
    /// `http://localhost:9411/api/v2/spans`, 10 s.
    [<CompiledName("Default")>]
    val defaults: ZipkinOptions

    /// `OTEL_EXPORTER_ZIPKIN_ENDPOINT`.
    val internal endpointVariable: string

    /// `OTEL_EXPORTER_ZIPKIN_TIMEOUT`.
    val internal timeoutVariable: string

    /// Reads `OTEL_EXPORTER_ZIPKIN_ENDPOINT` (an absolute http or https URL, used as it is) and
    /// `OTEL_EXPORTER_ZIPKIN_TIMEOUT` (positive whole milliseconds). Invalid values keep the default and give a
    /// warning. Pure given the lookup; never throws.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> ZipkinOptions * ConfigWarning list

    /// Checks options given in code: an error naming the bad setting when the endpoint is null or not an absolute
    /// http or https URL, or the timeout is not positive or exceeds Int32.MaxValue milliseconds (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: options: ZipkinOptions -> Result<ZipkinOptions, string list>
