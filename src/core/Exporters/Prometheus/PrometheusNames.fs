namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Text

/// How a metric shows in Prometheus: decides the TYPE, the suffixes and which names it claims.
type internal PrometheusShape =
    | Counter = 0
    | Gauge = 1
    | Histogram = 2

/// The naming rules of OpenTelemetry's Prometheus compatibility, as pure functions.
[<RequireQualifiedAccess>]
module internal PrometheusNames =
    let private isNameChar (allowColon: bool) (c: char) =
        (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c = '_'
        || (allowColon && c = ':')

    // Invalid characters become '_', runs of '_' collapse, a leading digit gets a '_' prefix. Never empty.
    let private sanitize (allowColon: bool) (name: string) =
        if String.IsNullOrEmpty name then
            "_"
        else
            let builder = StringBuilder(name.Length + 1)

            if name[0] >= '0' && name[0] <= '9' then
                builder.Append '_' |> ignore

            for c in name do
                let c = if isNameChar allowColon c then c else '_'

                if not (c = '_' && builder.Length > 0 && builder[builder.Length - 1] = '_') then
                    builder.Append c |> ignore

            builder.ToString()

    /// A valid metric name: characters outside `[a-zA-Z0-9_:]` become `_`, runs of `_` collapse, a leading
    /// digit gets a `_` prefix.
    [<CompiledName("SanitizeMetricName")>]
    let sanitizeMetricName (name: string) : string = sanitize true name

    /// A valid label name: as metric names but without `:`.
    [<CompiledName("SanitizeLabelName")>]
    let sanitizeLabelName (name: string) : string = sanitize false name

    // The collector's and the OpenTelemetry .NET exporter's table (UCUM case-sensitive codes).
    let private mainUnits =
        dict
            [
                "d", "days"
                "h", "hours"
                "min", "minutes"
                "s", "seconds"
                "ms", "milliseconds"
                "us", "microseconds"
                "ns", "nanoseconds"
                "By", "bytes"
                "KiBy", "kibibytes"
                "MiBy", "mebibytes"
                "GiBy", "gibibytes"
                "TiBy", "tibibytes"
                "KBy", "kilobytes"
                "MBy", "megabytes"
                "GBy", "gigabytes"
                "TBy", "terabytes"
                "m", "meters"
                "V", "volts"
                "A", "amperes"
                "J", "joules"
                "W", "watts"
                "g", "grams"
                "Cel", "celsius"
                "Hz", "hertz"
                "%", "percent"
            ]

    let private perUnits =
        dict
            [
                "s", "second"
                "m", "minute"
                "h", "hour"
                "d", "day"
                "w", "week"
                "mo", "month"
                "y", "year"
            ]

    // A unit word that is not in the tables: only [a-zA-Z0-9] kept, other runs become one '_', trimmed.
    let private unitWord (text: string) =
        let builder = StringBuilder(text.Length)

        for c in text do
            if isNameChar false c && c <> '_' then
                builder.Append c |> ignore
            elif builder.Length > 0 && builder[builder.Length - 1] <> '_' then
                builder.Append '_' |> ignore

        builder.ToString().Trim '_'

    let private withoutAnnotations (unit: string) =
        let builder = StringBuilder(unit.Length)
        let mutable depth = 0

        for c in unit do
            if c = '{' then
                depth <- depth + 1
            elif c = '}' && depth > 0 then
                depth <- depth - 1
            elif depth = 0 then
                builder.Append c |> ignore

        builder.ToString().Trim()

    let private lookup (table: IDictionary<string, string>) (text: string) =
        match table.TryGetValue text with
        | true, word -> word
        | _ -> unitWord text

    /// The suffix a UCUM unit gives (`s` -> `seconds`, `ms` -> `milliseconds`, `By` -> `bytes`, `1` -> `ratio`,
    /// `{...}` annotations dropped, `a/b` -> `a_per_b`); empty when the unit gives none.
    [<CompiledName("UnitSuffix")>]
    let unitSuffix (unit: string) : string =
        if String.IsNullOrWhiteSpace unit then
            ""
        else
            let unit = withoutAnnotations unit

            if unit = "1" then
                "ratio"
            else
                match unit.IndexOf '/' with
                | -1 -> lookup mainUnits unit
                | slash ->
                    let main = unit.Substring(0, slash).Trim()
                    let main = if main = "1" then "" else lookup mainUnits main
                    let per = lookup perUnits (unit.Substring(slash + 1).Trim())

                    match main, per with
                    | "", "" -> ""
                    | "", per -> "per_" + per
                    | main, "" -> main
                    | main, per -> main + "_per_" + per

    let shapeOf (points: MetricPoints) =
        match points with
        | MetricPoints.Sum(_, true, _) -> PrometheusShape.Counter
        | MetricPoints.Sum _
        | MetricPoints.Gauge _ -> PrometheusShape.Gauge
        | MetricPoints.Histogram _
        | MetricPoints.ExponentialHistogram _ -> PrometheusShape.Histogram

    // `1` means ratio only for gauges: a counter or histogram of ratios gets no suffix (the collector and the
    // OpenTelemetry .NET exporter agree on this reading of the specification's "special case").
    let unitFor (shape: PrometheusShape) (unit: string) =
        let suffix = unitSuffix unit

        if
            suffix = "ratio"
            && shape <> PrometheusShape.Gauge
            && not (isNull unit)
            && withoutAnnotations unit = "1"
        then
            ""
        else
            suffix

    let private appendSuffix (name: string) (suffix: string) =
        if name.EndsWith("_" + suffix, StringComparison.Ordinal) then
            name
        elif name.EndsWith '_' then
            name + suffix
        else
            name + "_" + suffix

    let familyNameOf (options: PrometheusOptions) (shape: PrometheusShape) (name: string) (unit: string) =
        let prefixed =
            if String.IsNullOrEmpty options.Namespace then
                name
            else
                options.Namespace + "_" + name

        let mutable family = sanitizeMetricName prefixed

        if options.UnitSuffixes then
            let suffix = unitFor shape unit

            if suffix <> "" then
                family <- appendSuffix family suffix

        if shape = PrometheusShape.Counter && options.TotalSuffix then
            family <- appendSuffix family "total"

        family

    /// The family name of a metric under these options (namespace, sanitising, unit suffix, `_total` for
    /// monotonic sums; histogram families without `_bucket`/`_sum`/`_count`).
    [<CompiledName("FamilyName")>]
    let familyName (options: PrometheusOptions) (metric: MetricData) : string =
        familyNameOf options (shapeOf metric.Points) metric.Name metric.Unit
