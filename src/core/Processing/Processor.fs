namespace Functional.Telemetry.FSharp

open Functional.Telemetry

type Processor<'T> = 'T -> 'T option

[<RequireQualifiedAccess>]
module Processor =
    [<CompiledName("Identity")>]
    let identity (item: 'T) : 'T option = Some item

    [<CompiledName("Filter")>]
    let filter (predicate: 'T -> bool) : Processor<'T> = fun item -> if predicate item then Some item else None

    [<CompiledName("Map")>]
    let map (change: 'T -> 'T) : Processor<'T> = fun item -> Some(change item)

    [<CompiledName("AndThen")>]
    let andThen (first: Processor<'T>) (second: Processor<'T>) : Processor<'T> =
        fun item -> first item |> Option.bind second

    [<CompiledName("Chain")>]
    let chain (processors: Processor<'T> list) : Processor<'T> =
        match processors with
        | [] -> identity
        | [ single ] -> single
        | first :: rest -> List.fold andThen first rest

    let (>=>) first second = andThen first second

[<RequireQualifiedAccess>]
module SpanProcessor =
    let private upsert key value (attributes: KeyValue list) =
        if attributes |> List.exists (fun a -> a.Key = key) then
            attributes
            |> List.map (fun a -> if a.Key = key then { a with Value = value } else a)
        else
            attributes @ [ { Key = key; Value = value } ]

    [<CompiledName("SetAttribute")>]
    let setAttribute key value (span: Span) =
        { span with
            Attributes = upsert key value (ReadOnlyList.toList span.Attributes)
        }

    [<CompiledName("Redact")>]
    let redact (keys: string list) (replacement: string) (span: Span) =
        let secret = Set.ofList keys

        let clean (attributes: KeyValue list) =
            attributes
            |> List.map (fun a ->
                if secret.Contains a.Key then
                    { a with Value = AnyValue.String replacement }
                else
                    a)

        { span with
            Attributes = clean (ReadOnlyList.toList span.Attributes)
            Events =
                ReadOnlyList.toList span.Events
                |> List.map (fun e ->
                    { e with
                        Attributes = clean (ReadOnlyList.toList e.Attributes)
                    })
            Links =
                ReadOnlyList.toList span.Links
                |> List.map (fun l ->
                    { l with
                        Attributes = clean (ReadOnlyList.toList l.Attributes)
                    })
        }

[<AutoOpen>]
module ProcessorOperators =
    let (>=>) first second = Processor.andThen first second
