namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Text.RegularExpressions

/// Environment variable substitution in configuration file scalars (spec: data-model, "Environment variable
/// substitution"): `${NAME}`, `${env:NAME}`, `${NAME:-default}`; `$$` is a literal `$`. Pure given the lookup.
[<RequireQualifiedAccess>]
module internal Substitution =
    // SUBSTITUTION-REF: `${` GENERIC-SUBSTITUTION `}` (at least one character, none of them `}`).
    let private reference = Regex(@"\$\{([^}]+)\}", RegexOptions.CultureInvariant)

    // ENV-SUBSTITUTION: a name, then optionally `:-` and a default of printable characters and blanks.
    let private envSubstitution =
        Regex(@"^(?:env:)?([a-zA-Z_][a-zA-Z0-9_]*)(?::-([\x20-\x7C\x7E\t]*))?$", RegexOptions.CultureInvariant)

    // One reference: the variable's value, its default, or nothing; Error when it is not an env substitution.
    let private resolve (lookup: EnvLookup) (m: Match) : Result<string, string> =
        let content = m.Groups[1].Value
        let env = envSubstitution.Match content

        if env.Success then
            let fallback = if env.Groups[2].Success then env.Groups[2].Value else ""
            Ok(lookup env.Groups[1].Value |> Option.defaultValue fallback)
        else
            Error
                $"'{m.Value}' is not a valid substitution: write ${{NAME}}, ${{env:NAME}} or ${{NAME:-default}}, NAME made of letters, digits and _ and not starting with a digit (no prefix but env: is supported)"

    // Substitutes the references in a run of text that holds no `$$`. A replacement is never scanned again (a
    // variable whose value holds `${X}` is used as it is).
    let private substituteRun (lookup: EnvLookup) (run: string) : Result<string, string> =
        let rec go (last: int) (remaining: Match list) (parts: string list) =
            match remaining with
            | [] -> Ok(String.Concat(List.rev (run.Substring last :: parts)))
            | m :: rest ->
                match resolve lookup m with
                | Error reason -> Error reason
                | Ok value -> go (m.Index + m.Length) rest (value :: run.Substring(last, m.Index - last) :: parts)

        go 0 (reference.Matches run |> List.ofSeq) []

    /// The scalar with every reference replaced: an unset or blank variable gives its default, or nothing.
    /// Escapes are found first, left to right: the `$` an escape leaves is never the start of a reference.
    /// Error for a reference that is not an env substitution (`${NAME:?error}`, `${1NAME}`, an unknown prefix).
    let substitute (lookup: EnvLookup) (text: string) : Result<string, string> =
        if text.IndexOf '$' < 0 then
            Ok text
        else
            let rec go (runs: string list) (done': string list) =
                match runs with
                | [] -> Ok(String.Join("$", List.rev done'))
                | run :: rest ->
                    match substituteRun lookup run with
                    | Error reason -> Error reason
                    | Ok value -> go rest (value :: done')

            go (List.ofArray (text.Split "$$")) []
