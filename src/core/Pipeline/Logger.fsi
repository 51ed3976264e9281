namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open Microsoft.Extensions.Logging
open Functional.Telemetry

/// One structured record written from F#.
type LogEvent =
    {
        /// The level; its severity number and text follow the ILogger mapping (Information is 9).
        Level: LogLevel
        /// The body, kept as it is (a string, a map, ...).
        Body: AnyValue
        /// The attributes, kept as they are.
        Attributes: KeyValue list
        /// The event name; empty for none.
        EventName: string
        /// An exception, recorded as `exception.*` attributes.
        Exception: exn option
    }

/// The native F# logging API, over the same pipelines as ILogger:
/// `let log = Logger.create sdk "Orders"` then `Logger.info log "order placed" [ KeyValue.int "order.id" 42L ]`.
/// A record written inside an Activity carries its trace and span ids.
[<RequireQualifiedAccess>]
module Logger =
    /// The logger of a category of this SDK.
    [<CompiledName("Create")>]
    val create: sdk: TelemetrySdk -> category: string -> ILogger

    /// An Information event with this body and no attributes.
    [<CompiledName("Event")>]
    val event: body: string -> LogEvent

    /// Writes an event when its level is enabled. Never throws.
    [<CompiledName("Emit")>]
    val emit: logger: ILogger -> event: LogEvent -> unit

    /// Writes a Trace record.
    [<CompiledName("Trace")>]
    val trace: logger: ILogger -> body: string -> attributes: KeyValue list -> unit

    /// Writes a Debug record.
    [<CompiledName("Debug")>]
    val debug: logger: ILogger -> body: string -> attributes: KeyValue list -> unit

    /// Writes an Information record.
    [<CompiledName("Info")>]
    val info: logger: ILogger -> body: string -> attributes: KeyValue list -> unit

    /// Writes a Warning record.
    [<CompiledName("Warn")>]
    val warn: logger: ILogger -> body: string -> attributes: KeyValue list -> unit

    /// Writes an Error record.
    [<CompiledName("Error")>]
    val error: logger: ILogger -> body: string -> attributes: KeyValue list -> unit

    /// Writes a Critical record.
    [<CompiledName("Critical")>]
    val critical: logger: ILogger -> body: string -> attributes: KeyValue list -> unit
