namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Collections.Generic
open System.Globalization
open System.Net
open System.Net.Sockets
open System.Text.Encodings.Web
open System.Text.Json

/// A span's remote endpoint (Zipkin's `Endpoint`): a service name, or an address with an optional port.
type internal ZipkinEndpoint =
    {
        ServiceName: string option
        Ipv4: string option
        Ipv6: string option
        Port: int option
    }

/// The mapping of spans to Zipkin's JSON v2 (`ListOfSpans`), per the specification's Zipkin rules
/// (specification/trace/sdk_exporters/zipkin.md and the generic rules of common/mapping-to-non-otlp.md). Pure: spans
/// in, bytes out.
module internal ZipkinJson =
    // The remote endpoint's sources, in the specification's rank order: a name, or an address with its port.
    type private EndpointSource =
        | Name of key: string
        | Address of key: string * portKey: string option

    let private endpointSources =
        [
            Name "peer.service"
            Name "server.address"
            Name "net.peer.name"
            Address("network.peer.address", Some "network.peer.port")
            Name "server.socket.domain"
            Address("server.socket.address", Some "server.socket.port")
            Name "net.sock.peer.name"
            Address("net.sock.peer.addr", Some "net.sock.peer.port")
            Name "peer.hostname"
            Address("peer.address", None)
            Name "db.name"
        ]

    /// The address a text holds: IPv4 as `a.b.c.d` (four parts, not the short forms IPAddress also reads), IPv6
    /// with or without brackets (an IPv4-mapped one as its IPv4 address, as Zipkin prefers; no scope id).
    let tryAddress (text: string) : ZipkinEndpoint option =
        let text = text.Trim()

        let unbracketed =
            if text.Length > 2 && text.StartsWith '[' && text.EndsWith ']' then
                text.Substring(1, text.Length - 2)
            else
                text

        match IPAddress.TryParse unbracketed with
        | true, address when address.AddressFamily = AddressFamily.InterNetworkV6 && unbracketed.Contains ':' ->
            if address.IsIPv4MappedToIPv6 then
                Some
                    {
                        ServiceName = None
                        Ipv4 = Some(address.MapToIPv4().ToString())
                        Ipv6 = None
                        Port = None
                    }
            else
                Some
                    {
                        ServiceName = None
                        Ipv4 = None
                        Ipv6 = Some(IPAddress(address.GetAddressBytes()).ToString())
                        Port = None
                    }
        | true, address when
            address.AddressFamily = AddressFamily.InterNetwork
            && unbracketed.Split('.').Length = 4
            ->
            Some
                {
                    ServiceName = None
                    Ipv4 = Some(address.ToString())
                    Ipv6 = None
                    Port = None
                }
        | _ -> None

    let private nonBlankString (value: AnyValue option) =
        match value with
        | Some(AnyValue.String s) when not (String.IsNullOrWhiteSpace s) -> Some s
        | _ -> None

    // A port as an integer or a decimal string, 1 to 65535 (Zipkin: "please don't set to zero").
    let private port (value: AnyValue option) =
        let valid (p: int64) = if p >= 1L && p <= 65535L then Some(int p) else None

        match value with
        | Some(AnyValue.Int p) -> valid p
        | Some(AnyValue.String s) ->
            match Int64.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture) with
            | true, p -> valid p
            | _ -> None
        | _ -> None

    /// The remote endpoint of a CLIENT or PRODUCER span: the first attribute of the specification's ranking that
    /// the span has (a non-blank string). A value that is an IP address fills `ipv4` or `ipv6`, anything else
    /// `serviceName`; an address attribute takes its port attribute along. None for the other kinds.
    let remoteEndpoint (span: Span) : ZipkinEndpoint option =
        match span.Kind with
        | SpanKind.Client
        | SpanKind.Producer ->
            let attributes = span.Attributes
            let find key = KeyValue.tryFind key attributes

            let ofSource source =
                match source with
                | Name key ->
                    nonBlankString (find key)
                    |> Option.map (fun value ->
                        tryAddress value
                        |> Option.defaultValue
                            {
                                ServiceName = Some value
                                Ipv4 = None
                                Ipv6 = None
                                Port = None
                            })
                | Address(key, portKey) ->
                    nonBlankString (find key)
                    |> Option.map (fun value ->
                        let endpoint =
                            tryAddress value
                            |> Option.defaultValue
                                {
                                    ServiceName = Some value
                                    Ipv4 = None
                                    Ipv6 = None
                                    Port = None
                                }

                        { endpoint with
                            Port = portKey |> Option.bind (find >> port)
                        })

            endpointSources |> List.tryPick ofSource
        | _ -> None

    /// Zipkin's kind: CLIENT, SERVER, PRODUCER, CONSUMER; None (omitted) for INTERNAL.
    let kind (kind: SpanKind) =
        match kind with
        | SpanKind.Client -> Some "CLIENT"
        | SpanKind.Server -> Some "SERVER"
        | SpanKind.Producer -> Some "PRODUCER"
        | SpanKind.Consumer -> Some "CONSUMER"
        | _ -> None

    /// Unix nanoseconds as whole microseconds (truncated).
    let microseconds (nanoseconds: int64) = nanoseconds / 1000L

    /// The duration in whole microseconds, at least 1 (Zipkin: "durations of less than one are rounded up").
    let duration (span: Span) = max 1L (microseconds span.EndTime - microseconds span.StartTime)

    let private options =
        JsonWriterOptions(Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false)

    let private text (s: string) = EncodedText.replaceLoneSurrogates s

    let private doubleText (d: float) =
        if Double.IsNaN d then "NaN"
        elif Double.IsPositiveInfinity d then "Infinity"
        elif Double.IsNegativeInfinity d then "-Infinity"
        else d.ToString("R", CultureInfo.InvariantCulture)

    // A value as an element of a JSON array or a value of a JSON object (the non-OTLP AnyValue rules).
    let rec private writeElement (json: Utf8JsonWriter) (value: AnyValue) =
        match value with
        | AnyValue.String s -> json.WriteStringValue(text s)
        | AnyValue.Bool b -> json.WriteBooleanValue b
        | AnyValue.Int i -> json.WriteNumberValue i
        | AnyValue.Double d when Double.IsFinite d -> json.WriteNumberValue d
        | AnyValue.Double d -> json.WriteStringValue(doubleText d)
        | AnyValue.Bytes b -> json.WriteBase64StringValue(ReadOnlySpan b)
        | AnyValue.Array items ->
            json.WriteStartArray()

            for item in items do
                writeElement json item

            json.WriteEndArray()
        | AnyValue.Map entries ->
            json.WriteStartObject()

            for entry in entries do
                json.WritePropertyName(text entry.Key)
                writeElement json entry.Value

            json.WriteEndObject()
        | AnyValue.Empty -> json.WriteNullValue()

    /// A scratch writer for JSON text that becomes a string value (array and map tags, annotation values).
    [<Sealed>]
    type internal Scratch() =
        let buffer = ArrayBufferWriter<byte>(256)
        let json = new Utf8JsonWriter(buffer, options)

        /// The UTF-8 JSON text `write` produces.
        member _.Render(write: Utf8JsonWriter -> unit) : ReadOnlySpan<byte> =
            buffer.Clear()
            json.Reset buffer
            write json
            json.Flush()
            buffer.WrittenSpan

    /// A tag's string: strings as they are, booleans `true`/`false`, numbers in the invariant (en-US) culture,
    /// NaN and the infinities by name, bytes as base64, arrays and maps as JSON text, empty as the empty string.
    let private writeTag (json: Utf8JsonWriter) (scratch: Scratch) (key: string) (value: AnyValue) =
        let key = text key

        match value with
        | AnyValue.String s -> json.WriteString(key, text s)
        | AnyValue.Bool b -> json.WriteString(key, (if b then "true" else "false"))
        | AnyValue.Int i -> json.WriteString(key, i.ToString(CultureInfo.InvariantCulture))
        | AnyValue.Double d -> json.WriteString(key, doubleText d)
        | AnyValue.Bytes b -> json.WriteString(key, Convert.ToBase64String b)
        | AnyValue.Array _
        | AnyValue.Map _ -> json.WriteString(key, scratch.Render(fun w -> writeElement w value))
        | AnyValue.Empty -> json.WriteString(key, "")

    /// An annotation's value: the event's name alone when it has no attributes, else
    /// `"<name>":{<attributes as JSON>}` (the specification's form), with `otel.dropped_attributes_count` when the
    /// event lost attributes to limits.
    let annotationValueWith (scratch: Scratch) (event: SpanEvent) =
        let render () =
            let bytes =
                scratch.Render(fun json ->
                    json.WriteStartObject()
                    json.WritePropertyName(text event.Name)
                    json.WriteStartObject()

                    for attribute in event.Attributes do
                        json.WritePropertyName(text attribute.Key)
                        writeElement json attribute.Value

                    if event.DroppedAttributes > 0 then
                        json.WriteNumber("otel.dropped_attributes_count", event.DroppedAttributes)

                    json.WriteEndObject()
                    json.WriteEndObject())

            // The member of the outer object, without its braces.
            EncodedText.utf8.GetString(bytes.Slice(1, bytes.Length - 2))

        if event.Attributes.Count = 0 && event.DroppedAttributes = 0 then
            text event.Name
        else
            render ()

    /// `annotationValueWith` over a scratch writer of its own.
    let annotationValue (event: SpanEvent) = annotationValueWith (Scratch()) event

    // Tags the exporter writes itself: an attribute of the same key is left out.
    let private statusCodeKey = "otel.status_code"
    let private errorKey = "error"

    /// The tags of a span, in order: its attributes (without `error` and `otel.status_code`, which the status owns,
    /// nor the keys the exporter sets below), the scope's attributes whose keys the span does not have, then
    /// `otel.scope.name`/`otel.scope.version` and their deprecated aliases `otel.library.name`/`otel.library.version`
    /// (when not empty), the status (`otel.status_code` = `OK` or `ERROR`, and for ERROR `error` = its
    /// description), and the dropped counts (`otel.dropped_attributes_count`, `otel.dropped_events_count`,
    /// `otel.dropped_links_count`) when not zero.
    let tags (span: Span) : KeyValue list =
        let scope = span.Scope

        let own =
            [
                if scope.Name <> "" then
                    KeyValue.string "otel.scope.name" scope.Name
                    KeyValue.string "otel.library.name" scope.Name

                    if scope.Version <> "" then
                        KeyValue.string "otel.scope.version" scope.Version
                        KeyValue.string "otel.library.version" scope.Version
                match span.Status with
                | Status.Unset -> ()
                | Status.Ok -> KeyValue.string statusCodeKey "OK"
                | Status.Error description ->
                    KeyValue.string statusCodeKey "ERROR"
                    KeyValue.string errorKey description
                if span.DroppedAttributes > 0 then
                    KeyValue.int "otel.dropped_attributes_count" (int64 span.DroppedAttributes)
                if span.DroppedEvents > 0 then
                    KeyValue.int "otel.dropped_events_count" (int64 span.DroppedEvents)
                if span.DroppedLinks > 0 then
                    KeyValue.int "otel.dropped_links_count" (int64 span.DroppedLinks)
            ]

        let reserved = HashSet<string>(StringComparer.Ordinal)
        reserved.Add statusCodeKey |> ignore
        reserved.Add errorKey |> ignore

        for tag in own do
            reserved.Add tag.Key |> ignore

        let attributes =
            span.Attributes
            |> Seq.filter (fun a -> not (reserved.Contains a.Key))
            |> List.ofSeq

        for attribute in attributes do
            reserved.Add attribute.Key |> ignore

        let scopeAttributes =
            scope.Attributes
            |> Seq.filter (fun a -> not (reserved.Contains a.Key))
            |> List.ofSeq

        attributes @ scopeAttributes @ own

    /// The local endpoint's service name: the resource's `service.name`, else `fallback` (the SDK's default,
    /// `unknown_service:<process name>`).
    let serviceName (fallback: string) (resource: Resource) =
        match Resource.tryServiceName resource with
        | Some name when not (String.IsNullOrEmpty name) -> name
        | _ -> fallback

    let private writeEndpoint (json: Utf8JsonWriter) (name: string) (endpoint: ZipkinEndpoint) =
        json.WriteStartObject name

        endpoint.ServiceName
        |> Option.iter (fun s -> json.WriteString("serviceName", text s))

        endpoint.Ipv4 |> Option.iter (fun s -> json.WriteString("ipv4", s))
        endpoint.Ipv6 |> Option.iter (fun s -> json.WriteString("ipv6", s))
        endpoint.Port |> Option.iter (fun p -> json.WriteNumber("port", p))
        json.WriteEndObject()

    let private writeSpan (json: Utf8JsonWriter) (scratch: Scratch) (localServiceName: string) (span: Span) =
        json.WriteStartObject()
        json.WriteString("traceId", span.Context.TraceId.ToHex())

        if span.ParentSpanId.IsValid then
            json.WriteString("parentId", span.ParentSpanId.ToHex())

        json.WriteString("id", span.Context.SpanId.ToHex())
        kind span.Kind |> Option.iter (fun k -> json.WriteString("kind", k))
        json.WriteString("name", text span.Name)
        json.WriteNumber("timestamp", microseconds span.StartTime)
        json.WriteNumber("duration", duration span)
        json.WriteStartObject "localEndpoint"
        json.WriteString("serviceName", text localServiceName)
        json.WriteEndObject()
        remoteEndpoint span |> Option.iter (writeEndpoint json "remoteEndpoint")

        if span.Events.Count > 0 then
            json.WriteStartArray "annotations"

            for event in span.Events do
                json.WriteStartObject()
                json.WriteNumber("timestamp", microseconds event.Timestamp)
                json.WriteString("value", annotationValueWith scratch event)
                json.WriteEndObject()

            json.WriteEndArray()

        match tags span with
        | [] -> ()
        | tags ->
            json.WriteStartObject "tags"

            for tag in tags do
                writeTag json scratch tag.Key tag.Value

            json.WriteEndObject()

        json.WriteEndObject()

    /// Writes the spans as one Zipkin JSON v2 request body (a `ListOfSpans`), every span's `localEndpoint` named
    /// by `serviceName fallback resource`. Fields a span has no value for are omitted (no `parentId` for a root,
    /// no `kind` for INTERNAL, no `annotations` without events, no `tags` without any); `debug` and `shared` are
    /// never written (OpenTelemetry has no B3 debug flag, and a span never shares its id with its client's).
    let writeSpans (fallback: string) (resource: Resource) (spans: Span array) (output: IBufferWriter<byte>) =
        let localServiceName = serviceName fallback resource
        let scratch = Scratch()
        use json = new Utf8JsonWriter(output, options)
        json.WriteStartArray()

        for span in spans do
            writeSpan json scratch localServiceName span

        json.WriteEndArray()
        json.Flush()
