namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections
open System.Collections.Generic

/// Tag objects (`Activity` tags, log state values) as model values: the one conversion the records and the views
/// share. A view keeps a tag's object when it cannot change (a string, a boolean, a number, an `AnyValue`) and
/// converts it on export; anything else is converted when the view is made, so what it shows cannot change later.
[<RequireQualifiedAccess>]
module internal TagValue =
    let private safeToString (value: obj) =
        try
            match value.ToString() with
            | null -> ""
            | text -> text
        with _ ->
            value.GetType().FullName

    // Nested collections deeper than this become their text: a collection that contains itself must not recurse
    // until the stack overflows.
    let private maxNesting = 16

    let rec private convert (depth: int) (value: obj) : AnyValue =
        match value with
        | null -> AnyValue.Empty
        | :? string as s -> AnyValue.String s
        | :? bool as b -> AnyValues.ofBool b
        | :? int64 as i -> AnyValues.ofInt64 i
        | :? int32 as i -> AnyValues.ofInt64 (int64 i)
        | :? double as d -> AnyValue.Double d
        | :? AnyValue as v -> v
        | :? int16 as i -> AnyValue.Int(int64 i)
        | :? sbyte as i -> AnyValue.Int(int64 i)
        | :? byte as i -> AnyValue.Int(int64 i)
        | :? uint16 as i -> AnyValue.Int(int64 i)
        | :? uint32 as i -> AnyValue.Int(int64 i)
        | :? uint64 as i when i <= uint64 Int64.MaxValue -> AnyValue.Int(int64 i)
        | :? uint64 as i -> AnyValue.String(string i)
        | :? single as f -> AnyValue.Double(float f)
        | :? decimal as d -> AnyValue.Double(float d)
        | :? char as c -> AnyValue.String(string c)
        | :? (byte array) as bytes -> AnyValue.Bytes bytes
        // Enumerating a value can throw (a default ArraySegment, a lazy sequence, a collection changed by another
        // thread): the value then becomes its text.
        | :? IEnumerable<KeyValuePair<string, obj>> as pairs when depth < maxNesting ->
            try
                AnyValue.Map [ for KeyValue(k, v) in pairs -> { Key = k; Value = convert (depth + 1) v } ]
            with _ ->
                AnyValue.String(safeToString value)
        | :? IEnumerable as items when depth < maxNesting ->
            try
                AnyValue.Array [ for item in items -> convert (depth + 1) item ]
            with _ ->
                AnyValue.String(safeToString value)
        | other -> AnyValue.String(safeToString other)

    /// Converts a tag object to a value: strings, booleans, every integer and floating type, byte arrays,
    /// AnyValue itself, arrays and lists of those, key/value sequences as maps; anything else by ToString
    /// (a throwing ToString gives the type name). Never throws: a collection that cannot be enumerated, or is
    /// nested deeper than 16 levels (one that contains itself), becomes its text.
    let toAnyValue (value: obj) : AnyValue = convert 0 value

    /// True for an object that cannot change and that `toAnyValue` converts without reading anything else: null,
    /// a string, a boolean, a number, a character, an `AnyValue`. A view keeps such an object as it is.
    let isSettled (value: obj) =
        match value with
        | null
        | :? string
        | :? bool
        | :? int32
        | :? int64
        | :? double
        | :? AnyValue
        | :? int16
        | :? sbyte
        | :? byte
        | :? uint16
        | :? uint32
        | :? uint64
        | :? single
        | :? decimal
        | :? char -> true
        | _ -> false

    /// The object a view keeps for a tag object: the object itself when it is settled (see `isSettled`), else its
    /// value now (a byte array, a collection, an object read through ToString).
    let settle (value: obj) : obj = if isSettled value then value else box (toAnyValue value)

    /// True when a value length limit of `limit` characters (or bytes) leaves a settled object as it is; false
    /// also when only the limits themselves can tell (an `AnyValue`, an unsigned number above `Int64.MaxValue`,
    /// which becomes text).
    let fitsLength (limit: int) (value: obj) =
        match value with
        | null -> true
        | :? string as s -> s.Length <= limit
        | :? char -> 1 <= limit
        | :? uint64 as i -> i <= uint64 Int64.MaxValue
        | :? AnyValue -> false
        | _ -> isSettled value
