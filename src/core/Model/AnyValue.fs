namespace Functional.Telemetry

open System
open System.Collections.Generic
open System.Collections.Generic

[<RequireQualifiedAccess; CustomEquality; NoComparison>]
type AnyValue =
    | String of string
    | Bool of bool
    | Int of int64
    | Double of float
    | Bytes of byte[]
    | Array of IReadOnlyList<AnyValue>
    | Map of IReadOnlyList<KeyValue>
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

    override x.ToString() =
        match x with
        | String s -> s
        | Bool b -> if b then "true" else "false"
        | Int i -> string i
        | Double d -> d.ToString "R"
        | Bytes b -> Convert.ToBase64String b
        | Array items -> "[" + String.Join(", ", items |> Seq.map string) + "]"
        | Map entries ->
            "{"
            + String.Join(", ", entries |> Seq.map (fun a -> a.Key + ": " + string a.Value))
            + "}"
        | Empty -> ""

and [<Struct; CustomEquality; NoComparison>] KeyValue =
    {
        Key: string
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

[<RequireQualifiedAccess>]
module internal AnyValues =
    let private smallInts = Array.init 1025 (fun i -> AnyValue.Int(int64 (i - 1)))
    let private trueValue = AnyValue.Bool true
    let private falseValue = AnyValue.Bool false

    [<CompiledName("OfInt64")>]
    let ofInt64 (value: int64) =
        if value >= -1L && value <= 1023L then
            smallInts[int value + 1]
        else
            AnyValue.Int value

    [<CompiledName("OfBool")>]
    let ofBool (value: bool) = if value then trueValue else falseValue

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module KeyValue =
    [<CompiledName("Create")>]
    let create key value : KeyValue = { Key = key; Value = value }

    [<CompiledName("OfString")>]
    let string key (value: string) = create key (AnyValue.String value)

    [<CompiledName("OfInt")>]
    let int key (value: int64) = create key (AnyValue.Int value)

    [<CompiledName("OfBool")>]
    let bool key (value: bool) = create key (AnyValue.Bool value)

    [<CompiledName("OfDouble")>]
    let double key (value: float) = create key (AnyValue.Double value)

    [<CompiledName("Dedupe")>]
    let dedupe (attributes: KeyValue list) =
        let keys = attributes |> List.map (fun a -> a.Key) |> List.distinct

        if List.length keys = List.length attributes then
            attributes
        else
            let lastValues = attributes |> List.fold (fun values a -> Map.add a.Key a.Value values) Map.empty

            keys |> List.map (fun key -> create key lastValues[key])

    [<CompiledName("TryFind")>]
    let tryFind (key: string) (attributes: System.Collections.Generic.IReadOnlyList<KeyValue>) =
        attributes
        |> Seq.tryFind (fun a -> a.Key = key)
        |> Option.map (fun a -> a.Value)
