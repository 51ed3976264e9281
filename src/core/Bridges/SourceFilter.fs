namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System

/// Matching of ActivitySource / Meter names against configured names: exact (case-insensitive, as in
/// OpenTelemetry .NET) or with `*` wildcards (`MyCompany.*`, `*`). Pure.
[<RequireQualifiedAccess>]
module internal SourceFilter =
    let rec private matchesFrom (pattern: string) (pi: int) (name: string) (ni: int) =
        if pi = pattern.Length then
            ni = name.Length
        elif pattern[pi] = '*' then
            // A star matches any run of characters, the empty one included.
            matchesFrom pattern (pi + 1) name ni
            || (ni < name.Length && matchesFrom pattern pi name (ni + 1))
        elif
            ni < name.Length
            && Char.ToLowerInvariant pattern[pi] = Char.ToLowerInvariant name[ni]
        then
            matchesFrom pattern (pi + 1) name (ni + 1)
        else
            false

    /// True when `name` matches `pattern`.
    let matches (pattern: string) (name: string) = matchesFrom pattern 0 name 0

    /// True when `name` matches any of the patterns.
    let matchesAny (patterns: string list) (name: string) = patterns |> List.exists (fun p -> matches p name)

    /// Checks a configured name: non-empty, no whitespace. Errors name the `kind` (see `Validation`).
    let validate (kind: string) (pattern: string) : Result<string, string list> =
        if String.IsNullOrWhiteSpace pattern then
            Error [ Validation.error kind "the name must not be empty." ]
        elif pattern |> Seq.exists Char.IsWhiteSpace then
            Error [ Validation.error kind $"the name '{pattern}' must not contain whitespace." ]
        else
            Ok pattern
