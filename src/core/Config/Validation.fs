namespace Functional.Telemetry.FSharp

open System

[<RequireQualifiedAccess>]
module Validation =
    let private separator = ": "

    [<CompiledName("Error")>]
    let error (setting: string) (problem: string) = setting + separator + problem

    [<CompiledName("SettingOf")>]
    let settingOf (error: string) =
        match error with
        | null -> None
        | text ->
            match text.IndexOf(separator, StringComparison.Ordinal) with
            | index when index > 0 -> Some(text.Substring(0, index))
            | _ -> None

    [<CompiledName("OfErrors")>]
    let ofErrors (value: 'T) (errors: string list) : Result<'T, string list> =
        match errors with
        | [] -> Ok value
        | errors -> Error errors

    [<CompiledName("Check")>]
    let check (isValid: bool) (setting: string) (problem: string) = if isValid then [] else [ error setting problem ]

    [<CompiledName("OrThrow")>]
    let orThrow (paramName: string) (result: Result<'T, string list>) : 'T =
        match result with
        | Ok value -> value
        | Error errors ->
            // ParamName is the first bad setting, so a caller catching the exception knows what to fix.
            let named = errors |> List.tryHead |> Option.bind settingOf |> Option.defaultValue paramName

            let message =
                match errors with
                | [] -> "The value is invalid."
                | errors -> String.Join(" ", errors)

            raise (ArgumentException(message, named))
