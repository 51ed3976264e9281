module Functional.Telemetry.PropertyTests.ResourceProperties

open Expecto
open System
open System.Text
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``parsing resource attributes never throws`` () =
    Prop.forAll (Arb.fromGen Arbs.text) (fun text ->
        let attributes, _ = Resource.parseAttributes text
        attributes |> List.forall (fun a -> a.Key.Length > 0))

// Text that survives UTF-8 (no lone surrogates) and has no surrounding blanks, which parsing trims.
let private encodable =
    Arbs.text
    |> Gen.filter (fun s -> s = s.Trim() && s = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes s))

let private hasControl (text: string) = text |> Seq.exists Char.IsControl

let ``parse (percent-encode entries) gives back the attributes, warning once per entry with control characters`` () =
    let entry = Gen.zip (encodable |> Gen.filter (fun k -> k.Length > 0)) encodable

    Prop.forAll (Arb.fromGen (Gen.listOf entry)) (fun entries ->
        let text =
            entries
            |> List.map (fun (k, v) -> Uri.EscapeDataString k + "=" + Uri.EscapeDataString v)
            |> String.concat ","

        let attributes, warnings = Resource.parseAttributes text

        let expected =
            ReadOnlyList.toList (Resource.create (entries |> List.map (fun (k, v) -> KeyValue.string k v))).Attributes

        // Control characters are kept (any string is a valid value) and reported in warnings that hold none.
        let controlled = entries |> List.filter (fun (k, v) -> hasControl k || hasControl v)

        warnings.Length = controlled.Length
        && warnings |> List.forall (fun w -> not (hasControl w.Message))
        && attributes = expected)

[<Tests>]
let tests =
    testList
        "ResourceProperties"
        [
            testPropertyWithConfig
                Check.config
                "parsing resource attributes never throws"
                (``parsing resource attributes never throws`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "parse (percent-encode entries) gives back the attributes, warning once per entry with control characters"
                (``parse (percent-encode entries) gives back the attributes, warning once per entry with control characters`` ()
                : FsCheck.Property)
        ]
