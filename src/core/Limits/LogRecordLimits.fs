namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization

type LogRecordLimits =
    {
        AttributeCountLimit: int
        AttributeValueLengthLimit: int option
    }

[<RequireQualifiedAccess>]
module LogRecordLimits =
    [<CompiledName("Default")>]
    let defaults =
        {
            AttributeCountLimit = 128
            AttributeValueLengthLimit = None
        }

    // None when unset or invalid (invalid with a warning), so the general variable can take over.
    let private readOptional (lookup: EnvLookup) name =
        match lookup name with
        | None -> None, []
        | Some text ->
            match Int32.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
            | true, v when v >= 0 -> Some v, []
            | _ ->
                None,
                [
                    {
                        Source = name
                        Message = "not a non-negative integer; ignored"
                    }
                ]

    let private readWithFallback lookup specific general =
        let specificValue, w1 = readOptional lookup specific
        let generalValue, w2 = readOptional lookup general
        Option.orElse generalValue specificValue, w1 @ w2

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        let count, w1 =
            readWithFallback lookup "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT" "OTEL_ATTRIBUTE_COUNT_LIMIT"

        let length, w2 =
            readWithFallback lookup "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT" "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"

        {
            AttributeCountLimit = count |> Option.defaultValue defaults.AttributeCountLimit
            AttributeValueLengthLimit = length
        },
        w1 @ w2

    [<CompiledName("Validate")>]
    let validate (limits: LogRecordLimits) =
        [
            Validation.check
                (limits.AttributeCountLimit >= 0)
                (nameof limits.AttributeCountLimit)
                $"must not be negative, got {limits.AttributeCountLimit}."
            match limits.AttributeValueLengthLimit with
            | Some length when length < 0 ->
                [
                    Validation.error (nameof limits.AttributeValueLengthLimit) $"must not be negative, got {length}."
                ]
            | _ -> []
        ]
        |> List.concat
        |> Validation.ofErrors limits

    let rec private containsKey (key: string) (attributes: KeyValue list) =
        match attributes with
        | [] -> false
        | a :: rest -> String.Equals(a.Key, key, StringComparison.Ordinal) || containsKey key rest

    // True when no key repeats; pairwise (without closures) for the short lists logs usually have.
    let rec private distinctKeys (attributes: KeyValue list) =
        match attributes with
        | [] -> true
        | first :: rest -> not (containsKey first.Key rest) && distinctKeys rest

    let rec private atMost count (attributes: KeyValue list) =
        match attributes with
        | [] -> true
        | _ :: rest -> count > 0 && atMost (count - 1) rest

    [<CompiledName("Apply")>]
    let apply (limits: LogRecordLimits) (record: LogRecord) =
        // The common case (few attributes, no length limit, unique keys) keeps the record as it is, allocating nothing.
        if
            limits.AttributeValueLengthLimit.IsNone
            && atMost limits.AttributeCountLimit (ReadOnlyList.toList record.Attributes)
            && atMost 16 (ReadOnlyList.toList record.Attributes)
            && distinctKeys (ReadOnlyList.toList record.Attributes)
        then
            record
        else

            let kept, dropped =
                SpanLimits.limitAttributes
                    limits.AttributeCountLimit
                    limits.AttributeValueLengthLimit
                    (ReadOnlyList.toList record.Attributes)

            if
                dropped = 0
                && Object.ReferenceEquals(kept, (ReadOnlyList.toList record.Attributes))
            then
                record
            else
                { record with
                    Attributes = kept
                    DroppedAttributes = record.DroppedAttributes + dropped
                }
