namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics.Tracing
open System.Reflection
open System.Reflection.Emit
open System.Text

/// The ETW providers of this process: one self-describing (TraceLogging) EventSource per name, shared by every
/// exporter with that name (EventSource names, and the GUIDs made from them, must be unique in a process) and
/// disposed when its last exporter shuts down.
module internal EtwProviders =
    let private gate = obj ()

    // EventSource GUIDs come from the upper-cased name, so names differing in case are the same provider.
    let private sources = Dictionary<string, EventSource * int ref>(StringComparer.OrdinalIgnoreCase)

    /// Why another live EventSource of the process (not one of ours) holds this provider's name or GUID, if one does.
    let private clashOf (name: string) (ours: EventSource option) =
        EventSource.GetSources()
        |> Seq.tryFind (fun s ->
            match ours with
            | Some own -> not (Object.ReferenceEquals(s, own)) && s.Guid = own.Guid
            | None ->
                String.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)
                && not (sources.ContainsKey name))
        |> Option.map (fun s ->
            $"Another EventSource of this process, '{s.Name}' ({s.Guid}), already uses the ETW provider name '{name}'; "
            + "EventSource names (and the GUIDs made from them) must be unique in a process, so the ETW exporter "
            + "would write nothing. Choose another provider name.")

    /// Error with the reason when a live EventSource not made here already has this name (checked when configuring).
    let check (name: string) : Result<unit, string> =
        lock gate (fun () ->
            match clashOf name None with
            | Some reason -> Error reason
            | None -> Ok())

    /// The EventSource of this provider name, created on first use; Error with the reason (and nothing held)
    /// when the process already has another EventSource of that name or GUID, which .NET refuses.
    let acquire (name: string) : Result<EventSource, string> =
        lock gate (fun () ->
            match sources.TryGetValue name with
            | true, (source, count) ->
                count.Value <- count.Value + 1
                Ok source
            | _ ->
                let source = new EventSource(name, EventSourceSettings.EtwSelfDescribingEventFormat)

                // With a listener present the refusal is a ConstructionException; without one it comes only
                // when a session first enables the source, so the process's other sources are checked too.
                let failure =
                    match source.ConstructionException with
                    | null -> clashOf name (Some source)
                    | e -> Some $"The EventSource of the ETW provider '{name}' could not be created: {e.Message}"

                match failure with
                | Some reason ->
                    // Disposed, it cannot stop the other source from being enabled.
                    source.Dispose()
                    Error reason
                | None ->
                    sources[name] <- (source, ref 1)
                    Ok source)

    /// Releases one use; the last one disposes the EventSource.
    let release (name: string) =
        lock gate (fun () ->
            match sources.TryGetValue name with
            | true, (source, count) ->
                count.Value <- count.Value - 1

                if count.Value <= 0 then
                    sources.Remove name |> ignore
                    source.Dispose()
            | _ -> ())

/// Calls `EventSource.Write<'T>` for a payload type known only at run time (one delegate per emitted type).
type internal EtwWriteDelegate = delegate of EventSource * string * EventSourceOptions * obj -> unit

/// The generic call site `EtwWriteDelegate` instances are made from.
type internal EtwTypedWrite<'T> =
    static member Write(source: EventSource, name: string, options: EventSourceOptions, data: obj) =
        source.Write<'T>(name, options, (data :?> 'T))

/// A payload type made for one field shape: builds instances from values and writes them.
type internal EtwShape =
    {
        /// Makes an instance from the values in field order (nested structs already built).
        Create: Func<obj array, obj>
        /// Writes an instance.
        Write: EtwWriteDelegate
        /// The shapes of nested struct fields, by field index.
        Nested: EtwShape option array
    }

/// TraceLogging payloads in .NET are typed by reflection over the data type: field names are property names,
/// field types are property types. PartC's fields differ per record, so each distinct field shape (names and
/// types, nested) gets a small `[EventData]` class emitted at run time: a constructor taking the values and one
/// public read-only property per field. Shapes are cached; past `MaxShapes` the caller falls back.
module internal EtwPayloadTypes =
    /// The most distinct shapes emitted per process (each is a type kept for the process's life).
    [<Literal>]
    let MaxShapes = 1024

    let private moduleBuilder =
        lazy
            (let assembly =
                AssemblyBuilder.DefineDynamicAssembly(
                    AssemblyName "Functional.Telemetry.EtwPayloads",
                    AssemblyBuilderAccess.Run
                )

             assembly.DefineDynamicModule "Functional.Telemetry.EtwPayloads")

    /// None for a shape whose type could not be emitted: it is written with the JSON PartC, not tried again.
    let private shapes = ConcurrentDictionary<string, EtwShape option>(StringComparer.Ordinal)
    let private emitGate = obj ()
    let mutable private typeCount = 0

    /// A key that names the shape unambiguously: length-prefixed names and a type letter, nested in braces.
    let rec private appendKey (builder: StringBuilder) (fields: EtwField list) =
        for f in fields do
            builder.Append(f.Name.Length).Append(':').Append(f.Name) |> ignore

            match f.Value with
            | EtwValue.Int32 _ -> builder.Append 'i' |> ignore
            | EtwValue.Int64 _ -> builder.Append 'l' |> ignore
            | EtwValue.Double _ -> builder.Append 'd' |> ignore
            | EtwValue.String _ -> builder.Append 's' |> ignore
            | EtwValue.Bytes _ -> builder.Append 'b' |> ignore
            | EtwValue.Struct nested ->
                builder.Append '{' |> ignore
                appendKey builder nested
                builder.Append '}' |> ignore

    let keyOf (fields: EtwField list) =
        let builder = StringBuilder()
        appendKey builder fields
        builder.ToString()

    let private eventDataAttribute =
        CustomAttributeBuilder(typeof<EventDataAttribute>.GetConstructor Type.EmptyTypes, [||])

    let rec private emit (fields: EtwField list) : EtwShape * Type =
        let nested =
            fields
            |> List.map (fun f ->
                match f.Value with
                | EtwValue.Struct inner -> Some(emit inner)
                | _ -> None)
            |> Array.ofList

        typeCount <- typeCount + 1

        let typeBuilder =
            moduleBuilder.Value.DefineType(
                $"EtwPayload{typeCount}",
                TypeAttributes.Public ||| TypeAttributes.Sealed ||| TypeAttributes.Class
            )

        typeBuilder.SetCustomAttribute eventDataAttribute

        let values =
            typeBuilder.DefineField("values", typeof<obj array>, FieldAttributes.Private ||| FieldAttributes.InitOnly)

        let constructor =
            typeBuilder.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [| typeof<obj array> |])

        let il = constructor.GetILGenerator()
        il.Emit(OpCodes.Ldarg_0)
        il.Emit(OpCodes.Call, typeof<obj>.GetConstructor Type.EmptyTypes)
        il.Emit(OpCodes.Ldarg_0)
        il.Emit(OpCodes.Ldarg_1)
        il.Emit(OpCodes.Stfld, values)
        il.Emit(OpCodes.Ret)

        fields
        |> List.iteri (fun index f ->
            let fieldType =
                match f.Value with
                | EtwValue.Int32 _ -> typeof<int>
                | EtwValue.Int64 _ -> typeof<int64>
                | EtwValue.Double _ -> typeof<float>
                | EtwValue.String _ -> typeof<string>
                | EtwValue.Bytes _ -> typeof<byte array>
                | EtwValue.Struct _ -> snd nested[index].Value

            let getter =
                typeBuilder.DefineMethod(
                    "get_" + f.Name,
                    MethodAttributes.Public
                    ||| MethodAttributes.SpecialName
                    ||| MethodAttributes.HideBySig,
                    fieldType,
                    Type.EmptyTypes
                )

            let il = getter.GetILGenerator()
            il.Emit(OpCodes.Ldarg_0)
            il.Emit(OpCodes.Ldfld, values)
            il.Emit(OpCodes.Ldc_I4, index)
            il.Emit(OpCodes.Ldelem_Ref)

            if fieldType.IsValueType then
                il.Emit(OpCodes.Unbox_Any, fieldType)
            else
                il.Emit(OpCodes.Castclass, fieldType)

            il.Emit(OpCodes.Ret)

            let property = typeBuilder.DefineProperty(f.Name, PropertyAttributes.None, fieldType, Type.EmptyTypes)
            property.SetGetMethod getter)

        let factory =
            typeBuilder.DefineMethod(
                "Create",
                MethodAttributes.Public ||| MethodAttributes.Static,
                typeof<obj>,
                [| typeof<obj array> |]
            )

        let il = factory.GetILGenerator()
        il.Emit(OpCodes.Ldarg_0)
        il.Emit(OpCodes.Newobj, constructor)
        il.Emit(OpCodes.Ret)

        let created = typeBuilder.CreateType()

        let create = created.GetMethod("Create").CreateDelegate<Func<obj array, obj>>()

        let write =
            typedefof<EtwTypedWrite<obj>>
                .MakeGenericType(created)
                .GetMethod("Write", BindingFlags.Public ||| BindingFlags.NonPublic ||| BindingFlags.Static)
                .CreateDelegate<EtwWriteDelegate>()

        {
            Create = create
            Write = write
            Nested = nested |> Array.map (Option.map fst)
        },
        created

    /// The shape of these fields, emitted on first use: Ok; Error false once `MaxShapes` shapes exist, unless
    /// `beyondLimit` (the fallback's few shapes); Error true when its type cannot be emitted (a field name
    /// Reflection.Emit refuses, say), remembered so it is not tried again.
    let tryGet (beyondLimit: bool) (fields: EtwField list) : Result<EtwShape, bool> =
        let key = keyOf fields

        let known shape =
            match shape with
            | Some shape -> Ok shape
            | None -> Error true

        match shapes.TryGetValue key with
        | true, shape -> known shape
        | _ ->
            lock emitGate (fun () ->
                match shapes.TryGetValue key with
                | true, shape -> known shape
                | _ when shapes.Count >= MaxShapes && not beyondLimit -> Error false
                | _ ->
                    let shape =
                        try
                            Some(fst (emit fields))
                        with e ->
                            SelfDiagnostics.warning
                                "etw"
                                $"An event shape could not be emitted as a type ({e.GetType().Name}: {e.Message}); its PartC is written as one JSON string field."

                            None

                    shapes[key] <- shape
                    known shape)

    let rec private instance (shape: EtwShape) (fields: EtwField list) : obj =
        let values = Array.zeroCreate<obj> (List.length fields)

        fields
        |> List.iteri (fun index f ->
            values[index] <-
                match f.Value with
                | EtwValue.Int32 i -> box i
                | EtwValue.Int64 i -> box i
                | EtwValue.Double d -> box d
                | EtwValue.String s -> box s
                | EtwValue.Bytes b -> box b
                | EtwValue.Struct inner -> instance shape.Nested[index].Value inner)

        shape.Create.Invoke values

    /// Writes the fields with their shape's type.
    let write (source: EventSource) (shape: EtwShape) (event: EtwEvent) =
        let mutable options = EventSourceOptions()
        options.Level <- event.Level
        options.Keywords <- LanguagePrimitives.EnumOfValue<int64, EventKeywords> event.Keyword
        shape.Write.Invoke(source, event.Name, options, instance shape event.Fields)

/// Writes `EtwEvent`s to an EventSource.
module internal EtwWriter =
    let private fallbackReported = [| 0 |]

    /// PartC as one JSON string field, for when the process has met too many distinct shapes or a shape's type
    /// cannot be emitted.
    let private withJsonPartC (event: EtwEvent) =
        let fields =
            event.Fields
            |> List.map (fun f ->
                match f with
                | { Name = "PartC"; Value = EtwValue.Struct partC } ->
                    {
                        Name = "PartC"
                        Value =
                            EtwValue.Struct
                                [
                                    {
                                        Name = "json"
                                        Value = EtwValue.String(EtwLayout.fieldsJson partC)
                                    }
                                ]
                    }
                | other -> other)

        { event with Fields = fields }

    /// Writes one event (the caller has checked `IsEnabled`).
    let write (source: EventSource) (event: EtwEvent) =
        match EtwPayloadTypes.tryGet false event.Fields with
        | Ok shape -> EtwPayloadTypes.write source shape event
        | Error failed ->
            if not failed && Threading.Interlocked.Exchange(&fallbackReported[0], 1) = 0 then
                SelfDiagnostics.warning
                    "etw"
                    $"More than {EtwPayloadTypes.MaxShapes} distinct event shapes: PartC of further shapes is written as one JSON string field."

            let fallback = withJsonPartC event

            match EtwPayloadTypes.tryGet true fallback.Fields with
            | Ok shape -> EtwPayloadTypes.write source shape fallback
            | Error _ -> ()
