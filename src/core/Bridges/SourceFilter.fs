namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System

/// Matching of ActivitySource / Meter names against configured names: exact (case-insensitive, as in
/// OpenTelemetry .NET) or with `*` wildcards (`MyCompany.*`, `*`). Pure.
[<RequireQualifiedAccess>]
module SourceFilter =
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
    [<CompiledName("Matches")>]
    let matches (pattern: string) (name: string) = matchesFrom pattern 0 name 0

    /// True when `name` matches any of the patterns.
    [<CompiledName("MatchesAny")>]
    let matchesAny (patterns: string list) (name: string) = patterns |> List.exists (fun p -> matches p name)

    /// Checks a configured name: non-empty, no whitespace; a clear ArgumentException otherwise.
    [<CompiledName("Validate")>]
    let validate (kind: string) (pattern: string) =
        if String.IsNullOrWhiteSpace pattern then
            invalidArg kind $"{kind} name must not be empty."

        if pattern |> Seq.exists Char.IsWhiteSpace then
            invalidArg kind $"{kind} name '{pattern}' must not contain whitespace."

        pattern
