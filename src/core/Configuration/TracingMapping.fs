namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// `tracer_provider`: sampler, limits, processors, and the ActivitySources its configurator enables.
[<RequireQualifiedAccess>]
module internal TracingMapping =
    let rec sampler (node: ConfigNode) : Sampler option =
        match Read.single node with
        | Some("always_on", _) -> Some Sampler.alwaysOn
        | Some("always_off", _) -> Some Sampler.alwaysOff
        | Some("trace_id_ratio_based", body) ->
            match Read.tryFloat "ratio" body |> Option.defaultValue 1.0 with
            | ratio when ratio >= 0.0 && ratio <= 1.0 -> Some(Sampler.traceIdRatio ratio)
            | _ -> None
        | Some("parent_based", body) ->
            let child key fallback = Read.tryGet key body |> Option.bind sampler |> Option.defaultValue fallback

            Some(
                Sampler.parentBasedWith
                    {
                        Root = child "root" Sampler.alwaysOn
                        RemoteParentSampled = child "remote_parent_sampled" Sampler.alwaysOn
                        RemoteParentNotSampled = child "remote_parent_not_sampled" Sampler.alwaysOff
                        LocalParentSampled = child "local_parent_sampled" Sampler.alwaysOn
                        LocalParentNotSampled = child "local_parent_not_sampled" Sampler.alwaysOff
                    }
            )
        | _ -> None

    /// `id_generator` (file_format 1.1): `random`, or `xray` (an SDK extension: AWS X-Ray trace ids).
    let idGenerator (node: ConfigNode) : IdGenerator option =
        match Read.single node with
        | Some("random", _) -> Some IdGenerator.Random
        | Some("xray", _) -> Some IdGenerator.AwsXRay
        | _ -> None

    let tracing (root: ConfigNode) : Mapped<FileTracing option> =
        match Read.tryGet "tracer_provider" root with
        | None -> Mapped.ok None
        | Some node ->
            mapped {
                let general = Read.tryGet "attribute_limits" root
                let specific = Read.tryGet "limits" node

                let limits =
                    match specific, general with
                    | None, None -> None
                    | _ ->
                        let count key = limit key specific general |> Option.defaultValue 128
                        let own key = limit key specific None |> Option.defaultValue 128

                        Some
                            {
                                AttributeCountLimit = count "attribute_count_limit"
                                AttributeValueLengthLimit = limit "attribute_value_length_limit" specific general
                                EventCountLimit = own "event_count_limit"
                                LinkCountLimit = own "link_count_limit"
                                AttributePerEventCountLimit = own "event_attribute_count_limit"
                                AttributePerLinkCountLimit = own "link_attribute_count_limit"
                            }

                let! processors = ExporterMapping.processors true 5000L "tracer_provider" node

                let! sources =
                    configuratorNames
                        "tracer"
                        "tracer_provider.tracer_configurator/development"
                        "tracers"
                        (Read.tryGet "tracer_configurator/development" node)

                return
                    Some
                        {
                            Sources = sources
                            Sampler = Read.tryGet "sampler" node |> Option.bind sampler
                            Limits = limits
                            Processors = processors
                            IdGenerator = Read.tryGet "id_generator" node |> Option.bind idGenerator
                        }
            }
