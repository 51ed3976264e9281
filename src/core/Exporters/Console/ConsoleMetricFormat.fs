namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization
open System.Text
open Functional.Telemetry

[<RequireQualifiedAccess>]
module ConsoleMetricFormat =
    let private number (value: float) = value.ToString("0.###", CultureInfo.InvariantCulture)

    let private numberValue value =
        match value with
        | NumberValue.Long v -> string v
        | NumberValue.Double v -> number v

    let private temporality t =
        match t with
        | Temporality.Delta -> "delta"
        | Temporality.Cumulative -> "cumulative"

    let private attributes (attributes: KeyValue list) =
        match attributes with
        | [] -> "-"
        | list -> list |> List.map string |> String.concat " "

    let private minMax (min: Nullable<float>) (max: Nullable<float>) =
        if min.HasValue && max.HasValue then
            $" min {number min.Value} max {number max.Value}"
        else
            ""

    let private histogramBuckets (bounds: float list) (counts: int64 list) =
        let labels =
            (bounds |> List.map (fun b -> "≤" + number b))
            @ [
                ">"
                + (bounds |> List.tryLast |> Option.map number |> Option.defaultValue "-inf")
            ]

        List.zip labels counts
        |> List.filter (fun (_, c) -> c > 0L)
        |> List.map (fun (label, c) -> $"{label}:{c}")
        |> String.concat " "

    [<CompiledName("Render")>]
    let render (metrics: MetricData list) =
        let builder = StringBuilder()

        for metric in metrics do
            let unitText = if metric.Unit = "" then "" else $" [{metric.Unit}]"

            let kind =
                match metric.Points with
                | MetricPoints.Sum(t, monotonic, _) ->
                    $"""sum, {temporality t}{if monotonic then ", monotonic" else ""}"""
                | MetricPoints.Gauge _ -> "gauge"
                | MetricPoints.Histogram(t, _) -> $"histogram, {temporality t}"
                | MetricPoints.ExponentialHistogram(t, _) -> $"exponential histogram, {temporality t}"

            builder.AppendLine($"{metric.Name}{unitText} ({kind}) from {metric.Scope.Name}")
            |> ignore

            let line (attrs: KeyValue list) (value: string) =
                builder.Append("    ").Append((attributes attrs).PadRight 40).Append("  ").AppendLine(value)
                |> ignore

            match metric.Points with
            | MetricPoints.Sum(_, _, points)
            | MetricPoints.Gauge points ->
                for p in points do
                    line (ReadOnlyList.toList p.Attributes) (numberValue p.Value)
            | MetricPoints.Histogram(_, points) ->
                for p in points do
                    line
                        (ReadOnlyList.toList p.Attributes)
                        $"count {p.Count} sum {number p.Sum}{minMax p.Min p.Max}  {histogramBuckets (ReadOnlyList.toList p.Bounds) (ReadOnlyList.toList p.BucketCounts)}"
            | MetricPoints.ExponentialHistogram(_, points) ->
                for p in points do
                    line
                        (ReadOnlyList.toList p.Attributes)
                        $"count {p.Count} sum {number p.Sum}{minMax p.Min p.Max} scale {p.Scale} zero {p.ZeroCount}"

        builder.ToString()
