module Functional.Telemetry.Tests.MeasurementTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``non-finite doubles are rejected for every kind`` () =
    let kinds =
        [
            InstrumentKind.Counter
            InstrumentKind.Histogram
            InstrumentKind.Gauge
            InstrumentKind.UpDownCounter
        ]

    for kind in kinds do
        for value in [ Double.NaN; Double.PositiveInfinity; Double.NegativeInfinity ] do
            Assert.Equal(Error Measurement.Rejection.NotFinite, Measurement.validate kind (NumberValue.Double value))

let ``only counters and observable counters reject negative values`` () =
    let negative = NumberValue.Long -1L
    Assert.Equal(Error Measurement.Rejection.NegativeIncrement, Measurement.validate InstrumentKind.Counter negative)

    Assert.Equal(
        Error Measurement.Rejection.NegativeIncrement,
        Measurement.validate InstrumentKind.ObservableCounter (NumberValue.Double -0.5)
    )

    for kind in
        [
            InstrumentKind.Histogram
            InstrumentKind.UpDownCounter
            InstrumentKind.ObservableUpDownCounter
            InstrumentKind.Gauge
            InstrumentKind.ObservableGauge
        ] do
        Assert.Equal(Ok negative, Measurement.validate kind negative)

    Assert.Equal(Ok(NumberValue.Long 0L), Measurement.validate InstrumentKind.Counter (NumberValue.Long 0L))

[<Tests>]
let tests =
    testList
        "MeasurementTests"
        [
            test "non-finite doubles are rejected for every kind" {
                ``non-finite doubles are rejected for every kind`` ()
            }
            test "only counters and observable counters reject negative values" {
                ``only counters and observable counters reject negative values`` ()
            }
        ]
