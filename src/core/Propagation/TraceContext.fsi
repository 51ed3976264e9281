namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// W3C Trace Context `traceparent` header: parse and format (pure, total).
[<RequireQualifiedAccess>]
module TraceParent =
    /// The header name, `traceparent`.
    [<CompiledName("HeaderName")>]
    val headerName: string

    /// Parses a `traceparent` value into a remote span context (with an empty trace state).
    /// Leading and trailing spaces/tabs are allowed. Version `00` must be exactly 55 characters;
    /// a higher version may be longer when character 55 is `-`. Only the flags Trace Context Level 2 defines
    /// (sampled `01`, random trace id `02`) are kept, the others are cleared; version `ff`, upper-case hex and
    /// all-zero ids are rejected. None when invalid.
    [<CompiledName("TryParse")>]
    val tryParse: header: string -> SpanContext option

    /// Formats a span context as a version `00` value: `00-{trace id}-{span id}-{flags}`.
    /// It does not check validity; callers inject only valid contexts.
    [<CompiledName("Format")>]
    val format: context: SpanContext -> string

/// W3C Trace Context `tracestate`: an ordered list of at most 32 vendor entries, leftmost most recent.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module TraceState =
    /// The header name, `tracestate`.
    [<CompiledName("HeaderName")>]
    val headerName: string

    /// The most entries a trace state holds (32).
    [<CompiledName("MaxEntries")>]
    val maxEntries: int

    /// The empty trace state.
    [<CompiledName("Empty")>]
    val empty: TraceState

    /// True for a key of Trace Context Level 2: 1-256 characters, the first a lowercase letter or a digit, the
    /// others lowercase letters, digits, `_`, `-`, `*`, `/` or `@` (`( lcalpha / DIGIT ) 0*255 ( keychar )`).
    /// Every Level 1 key (a simple key or a multi-tenant `tenant@system` key) is one.
    [<CompiledName("IsValidKey")>]
    val isValidKey: key: string -> bool

    /// True for a W3C value: 1-256 printable ASCII characters (0x20-0x7E) except `,` and `=`, not ending in a space.
    [<CompiledName("IsValidValue")>]
    val isValidValue: value: string -> bool

    /// Parses one `tracestate` value. Members are separated by `,` with optional spaces/tabs around them;
    /// empty members are skipped. A key that repeats keeps its leftmost entry (the most recent position); the later
    /// ones are dropped. None when any member is invalid or there are more than 32 members.
    [<CompiledName("TryParse")>]
    val tryParse: header: string -> TraceState option

    /// Combines several `tracestate` header values (in order) and parses them as one list; invalid gives `empty`.
    [<CompiledName("ParseHeaders")>]
    val parseHeaders: headers: string list -> TraceState

    /// Formats the entries as `key=value` joined by `,`, leftmost first.
    [<CompiledName("Format")>]
    val format: state: TraceState -> string

    /// Puts a valid key/value leftmost (removing the key's old entry) and drops the rightmost entry when over 32.
    /// None when the key or value is invalid.
    [<CompiledName("TryAdd")>]
    val tryAdd: key: string -> value: string -> state: TraceState -> TraceState option

    /// The trace state without the key's entry.
    [<CompiledName("Remove")>]
    val remove: key: string -> state: TraceState -> TraceState

    /// The value of the key's entry.
    [<CompiledName("TryFind")>]
    val tryFind: key: string -> state: TraceState -> string option
