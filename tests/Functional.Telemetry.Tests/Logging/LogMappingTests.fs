module Functional.Telemetry.Tests.LogMappingTests

open Expecto
open System
open System.Collections.Generic
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let ``LogLevel maps to the OpenTelemetry severity numbers and texts`` () =
    let rows =
        [
            LogLevel.Trace
            LogLevel.Debug
            LogLevel.Information
            LogLevel.Warning
            LogLevel.Error
            LogLevel.Critical
            LogLevel.None
        ]
        |> List.map (fun l -> LogMapping.severityNumber l, LogMapping.severityText l)

    Assert.Equal<(int * string) list>(
        [
            1, "Trace"
            5, "Debug"
            9, "Information"
            13, "Warning"
            17, "Error"
            21, "Critical"
            0, ""
        ],
        rows
    )

let ``key/value state becomes attributes in order and the template is returned apart`` () =
    let state: obj =
        [
            KeyValuePair("Name", box "World")
            KeyValuePair("Count", box 42)
            KeyValuePair("{OriginalFormat}", box "Hello {Name} {Count}")
        ]
        |> ResizeArray
        |> box

    let attributes, template = LogMapping.stateAttributes false state
    Assert.Equal<KeyValue list>([ KeyValue.string "Name" "World"; KeyValue.int "Count" 42L ], attributes)
    Assert.Equal(Some "Hello {Name} {Count}", template)
    let withTemplate, _ = LogMapping.stateAttributes true state

    Assert.Equal<KeyValue list>(
        [
            KeyValue.string "Name" "World"
            KeyValue.int "Count" 42L
            KeyValue.string "{OriginalFormat}" "Hello {Name} {Count}"
        ],
        withTemplate
    )

    // A sequence that is not a list gives the same.
    Assert.Equal(
        (withTemplate, template),
        LogMapping.stateAttributes
            true
            (box (Seq.ofList (List.ofSeq (unbox<ResizeArray<KeyValuePair<string, obj>>> state))))
    )

    Assert.Equal(([], None), LogMapping.stateAttributes true (box "plain text"))
    Assert.Equal(([], None), LogMapping.stateAttributes true null)

type private ThrowingPairs() =
    interface IEnumerable<KeyValuePair<string, obj>> with
        member _.GetEnumerator() : IEnumerator<KeyValuePair<string, obj>> =
            (seq {
                yield KeyValuePair("first", box 1)
                failwith "enumeration broke"
            })
                .GetEnumerator()

        member x.GetEnumerator() : Collections.IEnumerator =
            ((x :> IEnumerable<KeyValuePair<string, obj>>).GetEnumerator()) :> Collections.IEnumerator

let ``state mapping is total: a throwing ToString gives the type name, a throwing enumeration keeps what was read`` () =
    let state = box (ResizeArray [ KeyValuePair("bad", box (ThrowingToString())) ])
    let attributes, _ = LogMapping.stateAttributes true state
    Assert.Equal<KeyValue list>([ KeyValue.string "bad" (typeof<ThrowingToString>.FullName) ], attributes)
    let partial, template = LogMapping.stateAttributes true (ThrowingPairs())
    Assert.Equal<KeyValue list>([ KeyValue.int "first" 1L ], partial)
    Assert.Equal(None, template)

let ``an exception maps to exception.type, message and stacktrace`` () =
    let error =
        try
            raise (InvalidOperationException "it broke")
        with ex ->
            ex

    Assert.Equal<KeyValue list>(
        [
            KeyValue.string "exception.type" "System.InvalidOperationException"
            KeyValue.string "exception.message" "it broke"
            KeyValue.string "exception.stacktrace" (error.ToString())
        ],
        LogMapping.exceptionAttributes error
    )

    Assert.Empty(LogMapping.exceptionAttributes null)

let ``event ids and scopes map to attributes`` () =
    Assert.Equal<KeyValue list>([ KeyValue.int "event.id" 7L ], LogMapping.eventAttributes (EventId(7, "Placed")))
    Assert.Empty(LogMapping.eventAttributes (EventId 0))
    Assert.Equal("Placed", LogMapping.eventName (EventId(7, "Placed")))
    Assert.Equal("", LogMapping.eventName (EventId 7))

    let scopes: obj list =
        [
            box (
                ResizeArray
                    [
                        KeyValuePair("request", box "r1")
                        KeyValuePair("{OriginalFormat}", box "{request}")
                    ]
            )
            box "plain"
            null
            box 5
        ]

    Assert.Equal<KeyValue list>(
        [
            KeyValue.string "request" "r1"
            KeyValue.string "scope" "plain"
            KeyValue.string "scope" "5"
        ],
        LogMapping.scopeAttributes scopes
    )

[<Tests>]
let tests =
    testList
        "LogMappingTests"
        [
            test "LogLevel maps to the OpenTelemetry severity numbers and texts" {
                ``LogLevel maps to the OpenTelemetry severity numbers and texts`` ()
            }
            test "key/value state becomes attributes in order and the template is returned apart" {
                ``key/value state becomes attributes in order and the template is returned apart`` ()
            }
            test
                "state mapping is total: a throwing ToString gives the type name, a throwing enumeration keeps what was read" {
                ``state mapping is total: a throwing ToString gives the type name, a throwing enumeration keeps what was read`` ()
            }
            test "an exception maps to exception.type, message and stacktrace" {
                ``an exception maps to exception.type, message and stacktrace`` ()
            }
            test "event ids and scopes map to attributes" { ``event ids and scopes map to attributes`` () }
        ]
