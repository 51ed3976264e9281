namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System

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
    | Array of AnyValue list
    /// A key/value map (OTLP `KeyValueList`), keys kept in order.
    | Map of KeyValue list
    /// No value (OTLP: an `AnyValue` with no field set).
    | Empty

    // Doubles compare bitwise so that NaN = NaN: records holding NaN stay equal to themselves.
    override x.Equals(other: obj) =
        match other with
        | :? AnyValue as o ->
            match x, o with
            | String a, String b -> String.Equals(a, b, StringComparison.Ordinal)
            | Bool a, Bool b -> a = b
            | Int a, Int b -> a = b
            | Double a, Double b -> BitConverter.DoubleToInt64Bits a = BitConverter.DoubleToInt64Bits b
            | Bytes a, Bytes b -> ReadOnlySpan<byte>(a).SequenceEqual(ReadOnlySpan<byte>(b))
            | Array a, Array b -> a = b
            | Map a, Map b -> a = b
            | Empty, Empty -> true
            | _ -> false
        | _ -> false

    override x.GetHashCode() =
        match x with
        | String s -> s.GetHashCode()
        | Bool b -> hash b
        | Int i -> hash i
        | Double d -> hash (BitConverter.DoubleToInt64Bits d)
        | Bytes b -> b.Length
        | Array a -> hash a
        | Map m -> hash m
        | Empty -> 0

    /// A short readable form: strings as they are, arrays as `[a, b]`, maps as `{k: v}`, bytes as base64.
    override x.ToString() =
        match x with
        | String s -> s
        | Bool b -> if b then "true" else "false"
        | Int i -> string i
        | Double d -> d.ToString "R"
        | Bytes b -> Convert.ToBase64String b
        | Array items -> "[" + String.Join(", ", items |> List.map string) + "]"
        | Map entries ->
            "{"
            + String.Join(", ", entries |> List.map (fun a -> a.Key + ": " + string a.Value))
            + "}"
        | Empty -> ""

/// A key and its value. Keys are non-empty strings.
and [<Struct; CustomEquality; NoComparison>] KeyValue =
    {
        /// The attribute key, for example `http.request.method`.
        Key: string
        /// The attribute value.
        Value: AnyValue
    }

    override x.Equals(other: obj) =
        match other with
        | :? KeyValue as a -> String.Equals(x.Key, a.Key, StringComparison.Ordinal) && x.Value.Equals a.Value
        | _ -> false

    override x.GetHashCode() = HashCode.Combine(x.Key, x.Value)

    override x.ToString() = x.Key + "=" + string x.Value

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// Shared values for the common small integers and booleans, so converting them allocates nothing.
[<RequireQualifiedAccess>]
module AnyValues =
    let private smallInts = Array.init 1025 (fun i -> AnyValue.Int(int64 (i - 1)))
    let private trueValue = AnyValue.Bool true
    let private falseValue = AnyValue.Bool false

    /// `AnyValue.Int value`, shared for -1..1023.
    [<CompiledName("OfInt64")>]
    let ofInt64 (value: int64) =
        if value >= -1L && value <= 1023L then
            smallInts[int value + 1]
        else
            AnyValue.Int value

    /// `AnyValue.Bool value`, shared.
    [<CompiledName("OfBool")>]
    let ofBool (value: bool) = if value then trueValue else falseValue

/// Building attributes and values.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module KeyValue =
    /// An attribute from a key and a value.
    [<CompiledName("Create")>]
    let create key value : KeyValue = { Key = key; Value = value }

    /// A string attribute.
    [<CompiledName("OfString")>]
    let string key (value: string) = create key (AnyValue.String value)

    /// An integer attribute.
    [<CompiledName("OfInt")>]
    let int key (value: int64) = create key (AnyValue.Int value)

    /// A boolean attribute.
    [<CompiledName("OfBool")>]
    let bool key (value: bool) = create key (AnyValue.Bool value)

    /// A double attribute.
    [<CompiledName("OfDouble")>]
    let double key (value: float) = create key (AnyValue.Double value)

    /// Removes repeated keys: each key once, at its first position, with its last value (a later set wins,
    /// as with Activity.SetTag). The list is returned as it is when no key repeats.
    [<CompiledName("Dedupe")>]
    let dedupe (attributes: KeyValue list) =
        let keys = attributes |> List.map (fun a -> a.Key) |> List.distinct

        if List.length keys = List.length attributes then
            attributes
        else
            let lastValues = attributes |> List.fold (fun values a -> Map.add a.Key a.Value values) Map.empty

            keys |> List.map (fun key -> create key lastValues[key])

    /// The value of the first attribute with this key.
    [<CompiledName("TryFind")>]
    let tryFind (key: string) (attributes: KeyValue list) =
        attributes
        |> List.tryFind (fun a -> a.Key = key)
        |> Option.map (fun a -> a.Value)
