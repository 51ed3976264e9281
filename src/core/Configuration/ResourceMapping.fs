namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// `resource`: typed attributes over `attributes_list`, the schema URL, and which detectors run.
[<RequireQualifiedAccess>]
module internal ResourceMapping =
    let attributeValue path (valueNode: ConfigNode) (kind: string) : Mapped<AnyValue option> =
        let scalars () =
            match valueNode with
            | ConfigNode.Sequence(items, _) ->
                items
                |> List.choose (fun i ->
                    match i with
                    | ConfigNode.Scalar(value, text, _) -> Some(value, text)
                    | _ -> None)
                |> Some
            | _ -> None

        let mismatch () =
            mapped {
                do! error (at path "value") valueNode $"the value does not match its type '{kind}'"
                return None
            }

        let all (convert: ScalarValue * string -> AnyValue option) =
            match scalars () with
            | Some values ->
                let converted = values |> List.map convert

                if converted |> List.forall Option.isSome then
                    Mapped.ok (Some(AnyValue.Array(List.choose id converted)))
                else
                    mismatch ()
            | None -> mismatch ()

        let asString (_: ScalarValue, text: string) = Some(AnyValue.String text)

        let asBool (value, _) =
            match value with
            | ScalarValue.Bool b -> Some(AnyValue.Bool b)
            | _ -> None

        let asInt (value, _) =
            match value with
            | ScalarValue.Int i -> Some(AnyValue.Int i)
            | _ -> None

        let asDouble (value, _) =
            match value with
            | ScalarValue.Int i -> Some(AnyValue.Double(float i))
            | ScalarValue.Float f -> Some(AnyValue.Double f)
            | _ -> None

        let one convert =
            match valueNode with
            | ConfigNode.Scalar(value, text, _) ->
                match convert (value, text) with
                | Some v -> Mapped.ok (Some v)
                | None -> mismatch ()
            | _ -> mismatch ()

        match kind with
        | "bool" -> one asBool
        | "int" -> one asInt
        | "double" -> one asDouble
        | "string_array" -> all asString
        | "bool_array" -> all asBool
        | "int_array" -> all asInt
        | "double_array" -> all asDouble
        | _ -> one asString

    let resourceAttributes path (resource: ConfigNode) : Mapped<KeyValue list> =
        Read.items "attributes" resource
        |> List.mapi (fun index item -> index, item)
        |> Mapped.choose (fun (index, item) ->
            let itemPath = Diagnostic.item (at path "attributes") index

            match Read.tryString "name" item, Read.tryGet "value" item with
            | Some name, Some value ->
                let kind = Read.tryString "type" item |> Option.defaultValue "string"

                attributeValue itemPath value kind
                |> Mapped.map (Option.map (KeyValue.create name))
            | _ -> Mapped.ok None)

    let resource (root: ConfigNode) : Mapped<Resource> =
        match Read.tryGet "resource" root with
        | None -> Mapped.ok Resource.empty
        | Some node ->
            mapped {
                let listed, listWarnings =
                    match Read.tryString "attributes_list" node with
                    | Some text -> Resource.parseAttributes text
                    | None -> [], []

                for w in listWarnings do
                    do! warning "resource.attributes_list" node w.Message

                let! attributes = resourceAttributes "resource" node
                let merged = Resource.merge (Resource.create listed) (Resource.create attributes)

                return
                    { merged with
                        SchemaUrl = Read.tryString "schema_url" node |> Option.defaultValue ""
                    }
            }

    let detection (lookup: EnvLookup) (root: ConfigNode) : FileDetection option =
        Read.tryGet "resource" root
        |> Option.bind (Read.tryGet "detection/development")
        |> Option.map (fun node ->
            let detectors = Read.items "detectors" node |> List.choose Read.single |> List.map fst
            let filter = Read.tryGet "attributes" node

            let keep =
                match filter with
                | None -> fun (_: string) -> true
                | Some f ->
                    let included =
                        match Read.tryGet "included" f with
                        | Some _ -> Some(Read.strings "included" f)
                        | None -> None

                    ConfigPattern.includeExclude included (Read.strings "excluded" f)

            {
                Process = List.contains "process" detectors
                Host = List.contains "host" detectors
                Service = List.contains "service" detectors
                ServiceName = lookup "OTEL_SERVICE_NAME"
                Keep = keep
            })
