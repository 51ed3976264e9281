namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess>]
type AttributeFilter =
    | All
    | Allow of keys: string list
    | Deny of keys: string list

type InstrumentSelector =
    {
        Name: string option
        Kind: InstrumentKind option
        MeterName: string option
        MeterVersion: string option
        Unit: string option
    }

type View =
    {
        Selector: InstrumentSelector
        Name: string option
        Description: string option
        Attributes: AttributeFilter
        Aggregation: Aggregation option
        CardinalityLimit: int option
    }

type StreamConfig =
    {
        Instrument: InstrumentDescriptor
        Name: string
        Description: string
        Aggregation: Aggregation
        Attributes: AttributeFilter
        CardinalityLimit: int
    }

module internal Wildcard =
    let hasWildcard (pattern: string) = pattern.IndexOfAny [| '*'; '?' |] >= 0

    let private sameChar (a: char) (b: char) = Char.ToUpperInvariant a = Char.ToUpperInvariant b

    /// Case-insensitive glob match: `*` any run (empty included), `?` exactly one character.
    // Greedy with backtracking to the last star: linear in practice, never exponential like naive recursion.
    let matches (pattern: string) (text: string) =
        let rec go p t starP starT =
            if t < text.Length then
                if p < pattern.Length && pattern[p] = '*' then
                    go (p + 1) t (p + 1) t
                elif p < pattern.Length && (pattern[p] = '?' || sameChar pattern[p] text[t]) then
                    go (p + 1) (t + 1) starP starT
                elif starP >= 0 then
                    // Let the last star swallow one more character and retry from there.
                    go starP (starT + 1) starP (starT + 1)
                else
                    false
            else
                // Text used up: what is left of the pattern must be stars only.
                let rec onlyStars i = i >= pattern.Length || (pattern[i] = '*' && onlyStars (i + 1))

                onlyStars p

        go 0 0 -1 -1

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module View =
    let defaultCardinalityLimit = 2000

    let anyInstrument =
        {
            Name = None
            Kind = None
            MeterName = None
            MeterVersion = None
            Unit = None
        }

    let forInstrument name =
        {
            Selector = { anyInstrument with Name = Some name }
            Name = None
            Description = None
            Attributes = AttributeFilter.All
            Aggregation = None
            CardinalityLimit = None
        }

    let private boundsProblem (bounds: float list) =
        if bounds |> List.exists (fun b -> not (Double.IsFinite b)) then
            Some "histogram bucket bounds must be finite"
        elif bounds |> List.pairwise |> List.exists (fun (a, b) -> not (a < b)) then
            Some "histogram bucket bounds must be ascending and distinct"
        else
            None

    let validate (view: View) =
        [
            match view.Name, view.Selector.Name with
            | Some rename, selected when
                (match selected with
                 | Some name -> Wildcard.hasWildcard name
                 | None -> true)
                ->
                [
                    Validation.error
                        (nameof view.Name)
                        $"a view that renames the stream to '{rename}' must select one instrument by its exact name (no wildcards)."
                ]
            | _ -> []
            match view.Aggregation with
            | Some(Aggregation.ExplicitBucketHistogram(bounds, _)) ->
                match boundsProblem bounds with
                | Some problem ->
                    let given = String.Join(", ", bounds)
                    [ Validation.error (nameof view.Aggregation) $"{problem}, got [{given}]." ]
                | None -> []
            | Some(Aggregation.Base2ExponentialHistogram(maxSize, maxScale, _)) ->
                Validation.check
                    (maxSize >= 2)
                    (nameof view.Aggregation)
                    $"the exponential histogram max size must be at least 2, got {maxSize}."
                @ Validation.check
                    (maxScale >= -10 && maxScale <= 20)
                    (nameof view.Aggregation)
                    $"the exponential histogram max scale must be in [-10, 20], got {maxScale}."
            | _ -> []
            match view.CardinalityLimit with
            | Some limit when limit < 1 ->
                [
                    Validation.error
                        (nameof view.CardinalityLimit)
                        $"the view's cardinality limit must be at least 1, got {limit}."
                ]
            | _ -> []
        ]
        |> List.concat
        |> Validation.ofErrors view

    let private equalsWhenGiven (criterion: string option) (actual: string) =
        match criterion with
        | Some expected -> String.Equals(expected, actual, StringComparison.Ordinal)
        | None -> true

    let matches (selector: InstrumentSelector) (instrument: InstrumentDescriptor) =
        (match selector.Name with
         | Some pattern -> Wildcard.matches pattern instrument.Name
         | None -> true)
        && (match selector.Kind with
            | Some kind -> kind = instrument.Kind
            | None -> true)
        && equalsWhenGiven selector.MeterName instrument.Scope.Name
        && equalsWhenGiven selector.MeterVersion instrument.Scope.Version
        && equalsWhenGiven selector.Unit instrument.Unit

    let defaultAggregation (instrument: InstrumentDescriptor) =
        match instrument.Kind with
        | InstrumentKind.Counter
        | InstrumentKind.UpDownCounter
        | InstrumentKind.ObservableCounter
        | InstrumentKind.ObservableUpDownCounter -> Aggregation.Sum
        | InstrumentKind.Gauge
        | InstrumentKind.ObservableGauge -> Aggregation.LastValue
        | InstrumentKind.Histogram ->
            // Advice is only advice: unusable boundaries fall back to the defaults rather than failing the instrument.
            let bounds =
                match instrument.AdvisedBoundaries with
                | null -> HistogramState.defaultBounds
                | advised ->
                    let advised = ReadOnlyList.toList advised

                    if (boundsProblem advised).IsNone then
                        advised
                    else
                        HistogramState.defaultBounds

            Aggregation.ExplicitBucketHistogram(bounds, true)

    let private isObservable kind =
        match kind with
        | InstrumentKind.ObservableCounter
        | InstrumentKind.ObservableUpDownCounter
        | InstrumentKind.ObservableGauge -> true
        | _ -> false

    // Default resolves to the instrument's default. Histogram aggregations on observable instruments fall back
    // to the default too: an observation is a total or a current value, not a distribution of events.
    let private resolve (instrument: InstrumentDescriptor) (aggregation: Aggregation option) =
        match aggregation with
        | None
        | Some Aggregation.Default -> Some(defaultAggregation instrument)
        | Some Aggregation.Drop -> None
        | Some(Aggregation.ExplicitBucketHistogram _)
        | Some(Aggregation.Base2ExponentialHistogram _) when isObservable instrument.Kind ->
            Some(defaultAggregation instrument)
        | Some other -> Some other

    let streams views cardinalityLimit (instrument: InstrumentDescriptor) =
        match views |> List.filter (fun view -> matches view.Selector instrument) with
        | [] ->
            [
                {
                    Instrument = instrument
                    Name = instrument.Name
                    Description = instrument.Description
                    Aggregation = defaultAggregation instrument
                    Attributes = AttributeFilter.All
                    CardinalityLimit = cardinalityLimit
                }
            ]
        | matching ->
            matching
            |> List.choose (fun view ->
                resolve instrument view.Aggregation
                |> Option.map (fun aggregation ->
                    {
                        Instrument = instrument
                        Name = view.Name |> Option.defaultValue instrument.Name
                        Description = view.Description |> Option.defaultValue instrument.Description
                        Aggregation = aggregation
                        Attributes = view.Attributes
                        CardinalityLimit = view.CardinalityLimit |> Option.defaultValue cardinalityLimit
                    }))

    let filterAttributes filter (attributes: KeyValue list) =
        match filter with
        | AttributeFilter.All -> attributes, []
        | AttributeFilter.Allow keys -> attributes |> List.partition (fun a -> List.contains a.Key keys)
        | AttributeFilter.Deny keys -> attributes |> List.partition (fun a -> not (List.contains a.Key keys))
