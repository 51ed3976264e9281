namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open Microsoft.Extensions.Logging

/// How Microsoft.Extensions.Logging calls map onto the log data model. Pure and total: a value whose
/// ToString throws becomes its type name, a throwing enumeration ends the attributes read so far.
[<RequireQualifiedAccess>]
module LogMapping =
    /// The key under which Microsoft.Extensions.Logging keeps the message template: `{OriginalFormat}`.
    [<Literal>]
    val OriginalFormatKey: string = "{OriginalFormat}"

    /// The severity number of a level: Trace 1, Debug 5, Information 9, Warning 13, Error 17, Critical 21, None 0.
    [<CompiledName("SeverityNumber")>]
    val severityNumber: level: LogLevel -> int

    /// The severity text of a level: `Trace`, `Debug`, `Information`, `Warning`, `Error`, `Critical`; empty for None.
    [<CompiledName("SeverityText")>]
    val severityText: level: LogLevel -> string

    /// The attributes of a logging state: each key/value pair of a `IEnumerable<KeyValuePair<string, obj>>` state
    /// (as `LoggerExtensions`, `LoggerMessage.Define` and the source generator produce) in order, the template
    /// pair `{OriginalFormat}` included in its place only when `includeTemplate`; and the template's text.
    /// Pairs with empty keys are skipped. Any other state gives no attributes.
    [<CompiledName("StateAttributes")>]
    val stateAttributes: includeTemplate: bool -> state: obj -> KeyValue list * string option

    /// `stateAttributes` without the tuple and option: the template's text is null when there is none.
    val internal stateAttributesOf: includeTemplate: bool -> state: obj -> struct (KeyValue list * string)

    /// The attributes and template (or null) of key/value pairs read by index, in place for a struct state;
    /// `([], null)` when the indexer throws.
    val internal listAttributes<'T when 'T :> IReadOnlyList<KeyValuePair<string, obj>>> :
        includeTemplate: bool -> pairs: 'T -> struct (KeyValue list * string)

    /// The attributes and template (or null) of key/value pairs read by enumeration, keeping what was read.
    val internal sequenceAttributes:
        includeTemplate: bool -> pairs: IEnumerable<KeyValuePair<string, obj>> -> struct (KeyValue list * string)

    /// `AnyValue.String template`, shared per template string instance.
    val internal templateBody: template: string -> AnyValue

    /// `exception.type` (full type name), `exception.message` and `exception.stacktrace` (`ToString()`, which
    /// includes inner exceptions); empty for null.
    [<CompiledName("ExceptionAttributes")>]
    val exceptionAttributes: error: exn -> KeyValue list

    /// `event.id` when the id is not 0.
    [<CompiledName("EventAttributes")>]
    val eventAttributes: eventId: EventId -> KeyValue list

    /// The event name of an EventId: its Name, or empty.
    [<CompiledName("EventName")>]
    val eventName: eventId: EventId -> string

    /// Scope values flattened into attributes, outermost first: key/value scopes give their pairs (without the
    /// template); any other non-null scope gives an attribute `scope` with its text.
    [<CompiledName("ScopeAttributes")>]
    val scopeAttributes: scopes: obj list -> KeyValue list

    /// Calls a formatter without letting it throw: None when it throws or returns null.
    [<CompiledName("TryFormat")>]
    val tryFormat: format: (unit -> string) -> string option
