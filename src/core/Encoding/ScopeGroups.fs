namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Collections.Generic

/// Grouping of a batch by instrumentation scope, shared by the OTLP encoders.
module internal ScopeGroups =
    /// Scope equality with a reference fast path (items of one source share one scope value).
    let same (a: InstrumentationScope) (b: InstrumentationScope) = obj.ReferenceEquals(a, b) || a = b

    /// The distinct scopes of the items, in order of first appearance. A batch has few scopes, so a linear
    /// search with the reference fast path beats hashing every item, and allocates only the result.
    let distinct (scopeOf: 'T -> InstrumentationScope) (items: 'T array) : InstrumentationScope array =
        let found = List<InstrumentationScope>(4)

        for item in items do
            let scope = scopeOf item
            let mutable known = false
            let mutable i = found.Count - 1

            // Newest first: items of one scope tend to come together.
            while not known && i >= 0 do
                known <- same found[i] scope
                i <- i - 1

            if not known then
                found.Add scope

        found.ToArray()
