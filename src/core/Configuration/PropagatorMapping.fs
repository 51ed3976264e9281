namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// `propagator`: `composite` then `composite_list`, duplicates removed; none listed propagates nothing.
[<RequireQualifiedAccess>]
module internal PropagatorMapping =
    let propagatorNamed (name: string) =
        match name with
        | "tracecontext" -> Some Propagators.traceContext
        | "baggage" -> Some Propagators.baggage
        | "b3" -> Some Propagators.b3
        | "b3multi" -> Some Propagators.b3Multi
        | "jaeger" -> Some Propagators.jaeger
        | "xray" -> Some Propagators.xray
        | _ -> None

    let propagator (root: ConfigNode) : Mapped<TextMapPropagator option> =
        match Read.tryGet "propagator" root with
        | None -> Mapped.ok None
        | Some node ->
            mapped {
                let composite = Read.items "composite" node |> List.choose Read.single |> List.map fst

                let! listed =
                    match Read.tryString "composite_list" node with
                    | None -> Mapped.ok []
                    | Some text ->
                        text.Split(',')
                        |> Array.map (fun n -> n.Trim().ToLowerInvariant())
                        |> Array.filter (fun n -> n <> "" && n <> "none")
                        |> List.ofArray
                        |> Mapped.choose (fun name ->
                            match propagatorNamed name with
                            | Some _ -> Mapped.ok (Some name)
                            | None ->
                                mapped {
                                    do!
                                        warning
                                            "propagator.composite_list"
                                            node
                                            $"unknown propagator '{name}' (this SDK knows tracecontext, baggage, b3, b3multi, jaeger, xray), ignored"

                                    return None
                                })

                let propagators = composite @ listed |> List.distinct |> List.choose propagatorNamed

                return
                    Some(
                        match propagators with
                        | [] -> Propagators.none
                        | [ one ] -> one
                        | many -> Propagators.composite many
                    )
            }
