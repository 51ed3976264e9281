namespace Functional.Telemetry

open System.Collections.Generic

/// An attribute or log-body value, as in the OpenTelemetry data model (OTLP `AnyValue`).
[<RequireQualifiedAccess; CustomEquality; NoComparison>]
type AnyValue =
    /// A UTF-16 string (encoded as UTF-8 on export).
    | String of string
    /// A boolean.
    | Bool of bool
    /// A signed 64-bit integer (every .NET integer type maps here).
    | Int of int64
    /// A double-precision float.
    | Double of float
    /// Raw bytes.
    | Bytes of byte[]
    /// A homogeneous or heterogeneous array of values.
    | Array of IReadOnlyList<AnyValue>
    /// A key/value map (OTLP `KeyValueList`), keys kept in order.
    | Map of IReadOnlyList<KeyValue>
    /// No value (OTLP: an `AnyValue` with no field set).
    | Empty

    /// Structural equality; doubles compare bitwise (NaN equals NaN), bytes by content.
    override Equals: other: obj -> bool

    /// A hash consistent with Equals.
    override GetHashCode: unit -> int

    /// A short readable form: strings as they are, arrays as `[a, b]`, maps as `{k: v}`, bytes as base64.
    override ToString: unit -> string

/// A key and its value. Keys are non-empty strings.
and [<Struct; CustomEquality; NoComparison>] KeyValue =
    {
        /// The attribute key, for example `http.request.method`.
        Key: string
        /// The attribute value.
        Value: AnyValue
    }

    /// Equal keys (ordinal) and equal values.
    override Equals: other: obj -> bool

    /// A hash of the key and the value.
    override GetHashCode: unit -> int

    /// `key=value`.
    override ToString: unit -> string

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Shared values for the common small integers and booleans, so converting them allocates nothing.
[<RequireQualifiedAccess>]
module internal AnyValues =
    /// `AnyValue.Int value`, shared for -1..1023.
    [<CompiledName("OfInt64")>]
    val ofInt64: value: int64 -> AnyValue

    /// `AnyValue.Bool value`, shared.
    [<CompiledName("OfBool")>]
    val ofBool: value: bool -> AnyValue

/// Building attributes and values.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module KeyValue =
    /// An attribute from a key and a value.
    [<CompiledName("Create")>]
    val create: key: string -> value: AnyValue -> KeyValue

    /// A string attribute.
    [<CompiledName("OfString")>]
    val string: key: string -> value: string -> KeyValue

    /// An integer attribute.
    [<CompiledName("OfInt")>]
    val int: key: string -> value: int64 -> KeyValue

    /// A boolean attribute.
    [<CompiledName("OfBool")>]
    val bool: key: string -> value: bool -> KeyValue

    /// A double attribute.
    [<CompiledName("OfDouble")>]
    val double: key: string -> value: float -> KeyValue

    /// Removes repeated keys: each key once, at its first position, with its last value (a later set wins,
    /// as with Activity.SetTag). The list is returned as it is when no key repeats.
    [<CompiledName("Dedupe")>]
    val dedupe: attributes: KeyValue list -> KeyValue list

    /// The value of the first attribute with this key.
    [<CompiledName("TryFind")>]
    val tryFind: key: string -> attributes: System.Collections.Generic.IReadOnlyList<KeyValue> -> AnyValue option
