namespace Functional.Telemetry.FSharp

open System
open System.Globalization

type ConfigWarning = { Source: string; Message: string }

type EnvLookup = string -> string option

[<RequireQualifiedAccess>]
module Env =
    let private nonBlank (value: string) = if String.IsNullOrWhiteSpace value then None else Some value

    [<CompiledName("System")>]
    let system: EnvLookup =
        fun name -> Environment.GetEnvironmentVariable name |> Option.ofObj |> Option.bind nonBlank

    [<CompiledName("OfList")>]
    let ofList (values: (string * string) list) : EnvLookup =
        let table = Map.ofList values
        fun name -> Map.tryFind name table |> Option.bind nonBlank

    let private warn name message = [ { Source = name; Message = message } ]

    let private parseInt (text: string) =
        match Int32.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
        | true, v -> Some v
        | _ -> None

    [<CompiledName("ReadInt")>]
    let readInt (lookup: EnvLookup) name (isValid: int -> bool) defaultValue =
        match lookup name with
        | None -> defaultValue, []
        | Some text ->
            match parseInt text with
            | Some v when isValid v -> v, []
            | _ -> defaultValue, warn name $"invalid value; using the default {defaultValue}"

    [<CompiledName("ReadMilliseconds")>]
    let readMilliseconds (lookup: EnvLookup) name (defaultValue: TimeSpan) =
        let millis, warnings = readInt lookup name (fun v -> v >= 0) (int defaultValue.TotalMilliseconds)

        TimeSpan.FromMilliseconds(float millis), warnings

    [<CompiledName("ReadChoice")>]
    let readChoice (lookup: EnvLookup) name (choices: (string * 'T) list) (defaultValue: 'T) =
        match lookup name with
        | None -> defaultValue, []
        | Some text ->
            let wanted = text.Trim()

            match
                choices
                |> List.tryFind (fun (key, _) -> String.Equals(key, wanted, StringComparison.OrdinalIgnoreCase))
            with
            | Some(_, value) -> value, []
            | None ->
                let allowed = choices |> List.map fst |> String.concat ", "
                defaultValue, warn name $"unknown value; expected one of {allowed}; using the default"
