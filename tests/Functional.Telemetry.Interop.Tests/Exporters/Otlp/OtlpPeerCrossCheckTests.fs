/// The same Activities exported by OpenTelemetry .NET (OpenTelemetry.Exporter.OpenTelemetryProtocol) and by us, both
/// over http/protobuf to the Node receiver (tests/otlp-peer/receiver.js), must decode to the same spans.
/// One ActivitySource is listened to by both SDKs at once (both AlwaysOn), so both export the very same Activity
/// objects; the decoded spans are then compared per span id, field by field. OpenTelemetry .NET runs at 1.21.0, on the
/// System.Diagnostics.DiagnosticSource 11 it brings (the span flags below say what that changes).
module Functional.Telemetry.Interop.Tests.OtlpPeerCrossCheckTests

open Expecto
open System
open System.Diagnostics
open System.Text.Json.Nodes
open OpenTelemetry
open OpenTelemetry.Exporter
open OpenTelemetry.Resources
open OpenTelemetry.Trace
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.OtlpPeer

/// A copy with every `attributes` array (at any depth) sorted by key: attribute order carries no meaning.
let rec private normalize (node: JsonNode) : JsonNode =
    match node with
    | :? JsonObject as o ->
        let copy = JsonObject()

        for KeyValue(key, value) in o |> Seq.sortBy (fun p -> p.Key) do
            let value = normalize value

            let value =
                match key, value with
                | "attributes", (:? JsonArray as a) ->
                    let sorted =
                        a
                        |> Seq.sortBy (fun x -> x.["key"].GetValue<string>())
                        |> Seq.map (fun x -> x.DeepClone())
                        |> Array.ofSeq

                    JsonArray(sorted) :> JsonNode
                | _ -> value

            copy[key] <- value

        copy
    | :? JsonArray as a -> JsonArray(a |> Seq.map normalize |> Array.ofSeq) :> JsonNode
    | null -> null
    | other -> other.DeepClone()

let private spansOf (received: JsonObject list) (source: string) =
    let resourceSpans =
        received
        |> List.filter (fun r -> str (at r [ "signal" ]) = "traces")
        |> List.collect (fun r ->
            Assert.True(isNull (at r [ "error" ]), text r)
            items (at r [ "message" ]) "resourceSpans")

    [
        for rs in resourceSpans do
            for ss in items rs "scopeSpans" do
                if str (at ss [ "scope"; "name" ]) = source then
                    for span in items ss "spans" do
                        yield str (at span [ "spanId" ]), (at rs [ "resource" ], at ss [ "scope" ], span)
    ]
    |> Map.ofList

/// Resource attributes without those that legitimately differ between two SDKs (telemetry.sdk.*).
let private comparableResource (resource: JsonNode) =
    let kept =
        items resource "attributes"
        |> List.filter (fun a -> not ((str (at a [ "key" ])).StartsWith "telemetry.sdk."))
        |> List.map (fun a -> a.DeepClone())
        |> Array.ofList

    let copy = (resource.DeepClone()).AsObject()
    copy["attributes"] <- JsonArray(kept)
    (normalize copy).ToJsonString()

let ``spans exported by OpenTelemetry .NET and by us over http/protobuf decode to the same spans`` () =
    task {
        use ours = NodeReceiver.Start()
        use theirs = NodeReceiver.Start()
        let name = "Otlp.PeerCheck." + Guid.NewGuid().ToString("N")
        let serviceName = "otlp-peer-check"

        use peer =
            Sdk
                .CreateTracerProviderBuilder()
                .AddSource(name)
                .SetSampler(AlwaysOnSampler())
                .ConfigureResource(fun r ->
                    r.Clear().AddService(serviceName, autoGenerateServiceInstanceId = false).AddTelemetrySdk()
                    |> ignore)
                .AddOtlpExporter(fun (o: OtlpExporterOptions) ->
                    o.Endpoint <- Uri(theirs.HttpEndpoint + "/v1/traces")
                    o.Protocol <- OtlpExportProtocol.HttpProtobuf
                    o.ExportProcessorType <- ExportProcessorType.Simple)
                .Build()

        let sdk =
            Telemetry.create serviceName
            |> Telemetry.withEnvironment (
                Env.ofList
                    [
                        "OTEL_EXPORTER_OTLP_ENDPOINT", ours.HttpEndpoint
                        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
                    ]
            )
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpExporter id)
            |> Telemetry.start

        let ids =
            try
                use source = new ActivitySource(name, "4.5.6")
                let root = source.StartActivity("peer-root", ActivityKind.Server)
                root.SetTag("string.attr", "GET") |> ignore
                root.SetTag("int.attr", 42) |> ignore
                root.SetTag("long.attr", 1L <<< 40) |> ignore
                root.SetTag("double.attr", 3.5) |> ignore
                root.SetTag("bool.attr", false) |> ignore
                root.SetTag("array.attr", [| "a"; "b" |]) |> ignore
                root.SetTag("int.array.attr", [| 1L; 2L |]) |> ignore
                root.SetTag("double.array.attr", [| 1.5; 2.5 |]) |> ignore
                root.SetTag("bool.array.attr", [| true; false |]) |> ignore

                root.AddEvent(
                    ActivityEvent(
                        "first event",
                        tags = ActivityTagsCollection(dict [ "event.attr", box 7L; "event.text", box "t" ])
                    )
                )
                |> ignore

                root.AddEvent(ActivityEvent("bare event")) |> ignore
                root.SetStatus(ActivityStatusCode.Error, "boom") |> ignore

                let linked =
                    ActivityContext(
                        ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c"),
                        ActivitySpanId.CreateFromString("b7ad6b7169203331"),
                        ActivityTraceFlags.Recorded
                    )

                let child =
                    source.StartActivity(
                        "peer-child",
                        ActivityKind.Client,
                        root.Context,
                        links =
                            [
                                ActivityLink(linked, ActivityTagsCollection(dict [ "link.attr", box "x" ]))
                                ActivityLink(linked)
                            ]
                    )

                child.SetTag("child.attr", "c") |> ignore
                child.SetStatus(ActivityStatusCode.Ok) |> ignore
                child.Stop()

                let remoteParent =
                    ActivityContext(
                        ActivityTraceId.CreateFromString("4bf92f3577b34da6a3ce929d0e0e4736"),
                        ActivitySpanId.CreateFromString("00f067aa0ba902b7"),
                        ActivityTraceFlags.Recorded,
                        "vendor=value",
                        isRemote = true
                    )

                let consumer = source.StartActivity("peer-consumer", ActivityKind.Consumer, remoteParent)
                consumer.Stop()
                let producer = source.StartActivity("peer-producer", ActivityKind.Producer)
                producer.Stop()
                let internalSpan = source.StartActivity("peer-internal", ActivityKind.Internal)
                internalSpan.Stop()
                root.Stop()

                [ root; child; consumer; producer; internalSpan ]
                |> List.map (fun a -> a.SpanId.ToHexString())
            finally
                Activity.Current <- null

        Assert.True(peer.ForceFlush(10000), "OpenTelemetry .NET did not flush")
        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(flushed, "ForceFlush timed out")
        let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True(stopped, "Shutdown timed out")

        let! fromUs = ours.Received()
        let! fromPeer = theirs.Received()
        let ourSpans = spansOf fromUs name
        let peerSpans = spansOf fromPeer name

        Assert.Equal<string list>(List.sort ids, ourSpans |> Map.keys |> List.ofSeq |> List.sort)
        Assert.Equal<string list>(List.sort ids, peerSpans |> Map.keys |> List.ofSeq |> List.sort)

        // The span flags (trace.v1.SpanFlags: the W3C trace flags in the low byte, 0x100 "is remote" known, 0x200
        // remote), stated rather than only compared, so both sides losing a bit together shows too. On
        // System.Diagnostics.DiagnosticSource 11 (which OpenTelemetry .NET 1.21.0 brings) the Activities of a trace
        // started here carry the W3C random-trace-id flag (0x02) themselves, children included: 0x103. The consumer
        // continues a remote parent whose flags said sampled only, so it keeps the parent's flags: 0x301. Links carry
        // their contexts' flags (sampled, not remote): 0x101. In the order of `ids`: root, child, consumer, producer,
        // internal.
        let expectedFlags = List.zip ids [ 0x103; 0x103; 0x301; 0x103; 0x103 ] |> Map.ofList

        for id in ids do
            for side, (_, _, span) in [ "OpenTelemetry .NET", peerSpans[id]; "we", ourSpans[id] ] do
                let spanName = str (at span [ "name" ])
                let flags = at span [ "flags" ]
                Assert.True((num flags = expectedFlags[id]), $"span {spanName}: {side} sent flags {text flags}")

                let linkFlags = items span "links" |> List.map (fun link -> num (at link [ "flags" ]))
                let expectedLinkFlags = if spanName = "peer-child" then [ 0x101; 0x101 ] else []
                Assert.Equal<int list>(expectedLinkFlags, linkFlags)

        for id in ids do
            let ourResource, ourScope, ourSpan = ourSpans[id]
            let peerResource, peerScope, peerSpan = peerSpans[id]
            Assert.Equal(comparableResource peerResource, comparableResource ourResource)
            Assert.Equal((normalize peerScope).ToJsonString(), (normalize ourScope).ToJsonString())

            let peerFields = (normalize peerSpan).AsObject()
            let ourFields = (normalize ourSpan).AsObject()

            let keys =
                Seq.append (peerFields |> Seq.map (fun p -> p.Key)) (ourFields |> Seq.map (fun p -> p.Key))
                |> Seq.distinct
                |> Seq.sort

            for key in keys do
                let expected = text peerFields[key]
                let actual = text ourFields[key]
                let spanName = str (at peerFields [ "name" ])

                Assert.True(
                    (expected = actual),
                    $"span {spanName} ({id}) field {key}: OpenTelemetry .NET sent {expected}, we sent {actual}"
                )
    }

[<Tests>]
let tests =
    testList
        "OtlpPeerCrossCheckTests"
        [
            testTask "spans exported by OpenTelemetry .NET and by us over http/protobuf decode to the same spans" {
                do! ``spans exported by OpenTelemetry .NET and by us over http/protobuf decode to the same spans`` ()
            }
        ]
