/// Rendered expositions are checked by the reference tools: the 0.0.4 text by `promtool check metrics`
/// (Debian's prometheus package) and OpenMetrics by prometheus_client's strict parser (python3-prometheus-client,
/// run with /usr/bin/python3), which must also give back the names, label values and values that were rendered.
/// Each property renders a batch of generated cases and runs the tool once for the whole batch.
module Functional.Telemetry.PropertyTests.PrometheusProperties

open Expecto
open System
open System.Buffers
open System.Diagnostics
open System.IO
open System.Text
open System.Text.Encodings.Web
open System.Text.Json
open System.Text.Json.Nodes
open FsCheck
open FsCheck.FSharp
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

// ---- the tools ----

let private promtool = "/usr/bin/promtool"
let private python = "/usr/bin/python3"

let private repositoryRoot =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            failwith "Functional.sln not found above the test assembly: cannot locate property-tests/prometheus"
        elif File.Exists(Path.Combine(dir.FullName, "Functional.sln")) then
            dir.FullName
        else
            up dir.Parent

    lazy (up (DirectoryInfo AppContext.BaseDirectory))

/// Runs a program to the end: exit code, stdout, stderr.
let private run (program: string) (arguments: string list) (input: string option) =
    let info =
        ProcessStartInfo(
            program,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = UTF8Encoding false,
            StandardInputEncoding = UTF8Encoding false
        )

    for argument in arguments do
        info.ArgumentList.Add argument

    use proc = Process.Start info
    let output = proc.StandardOutput.ReadToEndAsync()
    let errors = proc.StandardError.ReadToEndAsync()

    match input with
    | Some text -> proc.StandardInput.Write text
    | None -> ()

    proc.StandardInput.Close()
    proc.WaitForExit()
    proc.ExitCode, output.Result, errors.Result

/// promtool's lint complaints (client_golang's promlint), which awkward generated names can't avoid: they are
/// style advice, not format errors. Anything else promtool prints is a failure.
let private lintMessages =
    [
        "no help text"
        "metric names should not contain ':'"
        "metric names should not contain abbreviated units"
        "should be written in 'snake_case' not 'camelCase'"
        "use base unit"
        "non-counter metrics should not have \"_total\" suffix"
        "counter metrics should have \"_total\" suffix"
        "non-histogram and non-summary metrics should not have"
        "metric name should not include type"
        "non-histogram metrics should not have \"le\" label"
        "non-summary metrics should not have \"quantile\" label"
    ]

let private isLint (line: string) =
    lintMessages
    |> List.exists (fun message -> line.Contains(message, StringComparison.Ordinal))

/// `promtool check metrics` on each exposition, in one shell process: exit code and output per exposition.
let private promtoolCheckAll (expositions: string array) : (int * string) array =
    if not (File.Exists promtool) then
        failwith $"{promtool} is missing: run ./test.sh, or apt-get install -y prometheus"

    let dir = Directory.CreateTempSubdirectory "prom-render-"

    try
        expositions
        |> Array.iteri (fun i text ->
            File.WriteAllBytes(Path.Combine(dir.FullName, $"{i:D5}.prom"), Encoding.UTF8.GetBytes text))

        let script =
            $"for f in \"$1\"/*.prom; do out=$({promtool} check metrics < \"$f\" 2>&1); code=$?; printf '%%s\\036%%s\\035' \"$code\" \"$out\"; done"

        let code, output, errors = run "/bin/bash" [ "-c"; script; "bash"; dir.FullName ] None

        if code <> 0 then
            failwith $"the promtool loop failed ({code}): {errors}"

        let results =
            output.Split('\029', StringSplitOptions.RemoveEmptyEntries)
            |> Array.map (fun entry ->
                let parts = entry.Split '\030'
                int parts[0], parts[1])

        if results.Length <> expositions.Length then
            failwith $"promtool answered {results.Length} times for {expositions.Length} expositions: {errors}"

        results
    finally
        dir.Delete true

/// prometheus_client's OpenMetrics parser on each exposition, in one python process.
let private parseAll (expositions: string array) : JsonNode array =
    if not (File.Exists python) then
        failwith $"{python} is missing: run ./test.sh, or apt-get install -y python3 python3-prometheus-client"

    let script =
        Path.Combine(repositoryRoot.Force(), "property-tests", "prometheus", "parse_openmetrics.py")

    let code, output, errors = run python [ script ] (Some(JsonSerializer.Serialize expositions))

    if code <> 0 then
        failwith
            $"parse_openmetrics.py failed ({code}): {errors} (is python3-prometheus-client installed? run ./test.sh, or apt-get install -y python3-prometheus-client)"

    let results = JsonNode.Parse(output).AsArray() |> Seq.toArray

    if results.Length <> expositions.Length then
        failwith $"the parser answered {results.Length} times for {expositions.Length} expositions"

    results

// ---- what the parser must give back, built from the records ----

let private fffd (text: string) = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes text)

let rec private json (value: AnyValue) : JsonNode =
    match value with
    | AnyValue.String s -> JsonValue.Create s
    | AnyValue.Int i -> JsonValue.Create i
    | AnyValue.Bool b -> JsonValue.Create b
    | AnyValue.Double d -> JsonValue.Create d
    | AnyValue.Array(Items items) -> JsonArray(items |> List.map json |> List.toArray)
    | other -> JsonValue.Create(string other)

let private labelText (value: AnyValue) =
    match value with
    | AnyValue.String s -> fffd s
    | AnyValue.Int i -> string i
    | AnyValue.Bool b -> if b then "true" else "false"
    | AnyValue.Double d when Double.IsNaN d -> "NaN"
    | AnyValue.Double d -> d.ToString("R", Globalization.CultureInfo.InvariantCulture)
    | AnyValue.Empty -> ""
    | other ->
        fffd ((json other).ToJsonString(JsonSerializerOptions(Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping)))

/// Label name -> value: names sanitised, values of names that collide joined by `;` in the order of the keys.
let private expectedLabels
    (options: PrometheusOptions)
    (scope: InstrumentationScope option)
    (histogram: bool)
    (attributes: KeyValue list)
    =
    let scopeEntries =
        match scope with
        | Some scope when options.ScopeLabels ->
            [
                if scope.Name <> "" then
                    "otel_scope_name", "otel_scope_name", fffd scope.Name
                if scope.Version <> "" then
                    "otel_scope_version", "otel_scope_version", fffd scope.Version
                if scope.SchemaUrl <> "" then
                    "otel_scope_schema_url", "otel_scope_schema_url", fffd scope.SchemaUrl
                for a in (ReadOnlyList.toList scope.Attributes) do
                    let key = "otel_scope_" + a.Key
                    PrometheusNames.sanitizeLabelName key, key, labelText a.Value
            ]
        | _ -> []

    [
        for a in attributes do
            let name = PrometheusNames.sanitizeLabelName a.Key
            (if histogram && name = "le" then "le_" else name), a.Key, labelText a.Value
        yield! scopeEntries
    ]
    |> List.groupBy (fun (name, _, _) -> name)
    |> List.map (fun (name, entries) ->
        let values =
            entries
            |> List.sortWith (fun (_, a, _) (_, b, _) -> String.CompareOrdinal(a, b))
            |> List.map (fun (_, _, v) -> v)

        name, String.Join(";", values))
    |> List.sort

/// A sample as compared: name, labels (le apart, as a number), value.
type private Sample =
    {
        Name: string
        Labels: (string * string) list
        Le: float option
        Value: float
    }

let private sameValue (a: float) (b: float) = a = b || (Double.IsNaN a && Double.IsNaN b)

let private sameSample (a: Sample) (b: Sample) =
    a.Name = b.Name
    && a.Labels = b.Labels
    && (match a.Le, b.Le with
        | Some x, Some y -> sameValue x y
        | None, None -> true
        | _ -> false)
    && sameValue a.Value b.Value

/// A sample with a numeric `le` label taken apart (a gauge's attribute may be called le too, so both sides of the
/// comparison go through this).
let private normalised name (labels: (string * string) list) (le: float option) value =
    let numeric =
        match le, labels |> List.tryFind (fun (k, _) -> k = "le") with
        | Some _, _ -> le
        | None, Some(_, "+Inf") -> Some infinity
        | None, Some(_, text) ->
            match
                Double.TryParse(text, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture)
            with
            | true, v -> Some v
            | _ -> None
        | None, None -> None

    {
        Name = name
        Labels =
            (if le.IsNone && numeric.IsSome then
                 labels |> List.filter (fun (k, _) -> k <> "le")
             else
                 labels)
            |> List.sort
        Le = numeric
        Value = value
    }

let private expectedSamples (options: PrometheusOptions) (metric: MetricData) : Sample list =
    let name = PrometheusNames.familyName options metric
    let sample n labels le value = normalised n labels le value

    match metric.Points with
    | MetricPoints.Sum(_, _, Items points)
    | MetricPoints.Gauge(Items points) ->
        [
            for p in points ->
                sample
                    name
                    (expectedLabels options (Some metric.Scope) false (ReadOnlyList.toList p.Attributes))
                    None
                    p.Value.AsDouble
        ]
    | MetricPoints.Histogram(_, Items points) ->
        [
            for p in points do
                let labels = expectedLabels options (Some metric.Scope) true (ReadOnlyList.toList p.Attributes)
                let cumulative = (ReadOnlyList.toList p.BucketCounts) |> List.scan (+) 0L |> List.tail

                for bound, count in List.zip ((ReadOnlyList.toList p.Bounds) @ [ infinity ]) cumulative do
                    sample (name + "_bucket") labels (Some bound) (float count)

                if
                    p.Sum >= 0.0
                    && ((ReadOnlyList.toList p.Bounds).IsEmpty
                        || (ReadOnlyList.toList p.Bounds).Head >= 0.0)
                then
                    sample (name + "_sum") labels None p.Sum
                    sample (name + "_count") labels None (float p.Count)
        ]
    | MetricPoints.ExponentialHistogram _ -> []

let private number (node: JsonNode) =
    match node.GetValue<string>() with
    | "nan" -> nan
    | "inf" -> infinity
    | "-inf" -> -infinity
    | text -> Double.Parse(text, Globalization.CultureInfo.InvariantCulture)

let private parsedSamples (result: JsonNode) : Sample list =
    [
        for family in result["families"].AsArray() do
            for s in family["samples"].AsArray() do
                let labels =
                    s["labels"].AsObject()
                    |> Seq.map (fun kv -> kv.Key, kv.Value.GetValue<string>())
                    |> Seq.toList

                normalised (s["name"].GetValue<string>()) labels None (number s["value"])
    ]

let private supported (metric: MetricData) =
    match metric.Points with
    | MetricPoints.Sum(Temporality.Cumulative, _, _)
    | MetricPoints.Gauge _
    | MetricPoints.Histogram(Temporality.Cumulative, _) -> true
    | _ -> false

let private render format (options, resource, metrics) =
    let buffer = ArrayBufferWriter<byte>()
    let dropped = PrometheusRenderer(options).Render(format, resource, metrics, buffer)
    Encoding.UTF8.GetString buffer.WrittenSpan, dropped

/// Checks one case's parse against the records; an error message, or None.
let private roundTrip
    ((options: PrometheusOptions, resource: Resource, metrics: MetricData list) as case)
    (result: JsonNode)
    =
    match result["error"] with
    | null ->
        let _, dropped = render PrometheusFormat.OpenMetrics case
        let parsed = ResizeArray(parsedSamples result)
        let mutable problems = []
        let problem text = problems <- text :: problems

        let take (sample: Sample) =
            match Seq.tryFindIndex (sameSample sample) parsed with
            | Some i ->
                parsed.RemoveAt i
                true
            | None -> false

        if options.TargetInfo && not (ReadOnlyList.toList resource.Attributes).IsEmpty then
            let target =
                normalised
                    "target_info"
                    (expectedLabels options None false (ReadOnlyList.toList resource.Attributes))
                    None
                    1.0

            if not (take target) then
                problem $"target_info missing or different: {target}"

        let supportedMetrics = metrics |> List.filter supported
        let unsupported = metrics.Length - supportedMetrics.Length
        let mutable missing = 0
        let mutable empty = 0

        for metric in supportedMetrics do
            let expected = expectedSamples options metric

            if expected.IsEmpty then
                empty <- empty + 1
            else
                let found = expected |> List.map take
                let kept = found |> List.filter id |> List.length

                if kept = 0 then
                    missing <- missing + 1
                elif kept <> expected.Length then
                    problem $"metric {metric.Name}: {kept} of {expected.Length} samples came back: {expected}"

        if parsed.Count > 0 then
            problem $"samples nobody rendered: {List.ofSeq parsed}"

        let conflicts = dropped - unsupported

        if conflicts < missing || conflicts > missing + empty then
            problem $"Render left out {dropped} ({unsupported} unsupported) but {missing} metrics are missing"

        let descriptions = set ("" :: "Target metadata" :: (metrics |> List.map (fun m -> fffd m.Description)))

        for family in result["families"].AsArray() do
            let help = family["help"].GetValue<string>()

            if not (descriptions.Contains help) then
                problem $"HELP {help} is no metric's description"

        if problems.IsEmpty then
            None
        else
            Some(String.Join("\n", List.rev problems))
    | error -> Some(error.GetValue<string>())

/// Two cases of 120 scrapes each, at sizes 10 to 60 (each case is one promtool or parser run over all of them).
let private batchConfig =
    { Check.config with
        maxTest = 2
        startSize = 10
        endSize = 60
    }

let private batch = Gen.listOfLength 120 Arbs.prometheusCase

let private failures (cases: (PrometheusOptions * Resource * MetricData list) list) (verdicts: string option array) =
    List.zip cases (List.ofArray verdicts)
    |> List.choose (fun (case, verdict) -> verdict |> Option.map (fun v -> case, v))

let private report (format: PrometheusFormat) (bad: ((PrometheusOptions * Resource * MetricData list) * string) list) =
    match bad with
    | [] -> true
    | (case, verdict) :: _ ->
        let exposition, _ = render format case
        let all = bad |> List.map (fun (_, v) -> v.Split('\n')[0]) |> String.concat "\n"

        failwith
            $"{bad.Length} expositions failed:\n{all}\nthe first:\n{verdict}\n--- exposition ---\n{exposition}\n--- input ---\n%A{case}"

let ``the 0.0.4 text passes promtool check metrics (lint complaints about awkward names only)`` () =
    Prop.forAll (Arb.fromGen batch) (fun cases ->
        let expositions = cases |> List.map (render PrometheusFormat.Text >> fst) |> List.toArray

        let verdicts =
            promtoolCheckAll expositions
            |> Array.map (fun (code, output) ->
                let complaints =
                    output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    |> Array.filter (isLint >> not)

                match code with
                | 0 -> None
                | 3 when complaints.Length = 0 -> None
                | _ -> Some $"promtool exit code {code}:\n{output}")

        report PrometheusFormat.Text (failures cases verdicts))

let ``OpenMetrics parses with prometheus_client's strict parser and gives back names, labels and values`` () =
    Prop.forAll (Arb.fromGen batch) (fun cases ->
        let expositions = cases |> List.map (render PrometheusFormat.OpenMetrics >> fst) |> List.toArray
        let results = parseAll expositions
        let verdicts = List.map2 roundTrip cases (List.ofArray results) |> List.toArray
        report PrometheusFormat.OpenMetrics (failures cases verdicts))

let ``well-named metrics with descriptions are lint-clean for promtool, and OpenMetrics parses`` () =
    let scope =
        {
            Name = "shop.api"
            Version = "2.1.0"
            SchemaUrl = "https://opentelemetry.io/schemas/1.26.0"
            Attributes = [ KeyValue.string "team" "payments" ]
        }

    let point attributes value : NumberPoint =
        {
            Attributes = attributes
            StartTime = 1L
            Time = 2L
            Value = value
            Exemplars = []
        }

    let histogram: HistogramPoint =
        {
            Attributes =
                [
                    KeyValue.string "http.route" "/orders/{id}"
                    KeyValue.int "http.response.status_code" 200L
                ]
            StartTime = 1L
            Time = 2L
            Count = 6L
            Sum = 1.25
            Min = Nullable()
            Max = Nullable()
            Bounds = [ 0.005; 0.01; 0.1; 1.0; 10.0 ]
            BucketCounts = [ 1L; 1L; 2L; 1L; 1L; 0L ]
            Exemplars = []
        }

    let metric name unit description points : MetricData =
        {
            Name = name
            Unit = unit
            Description = description
            Scope = scope
            Points = points
        }

    let metrics =
        [
            metric
                "http.server.request.duration"
                "s"
                "Duration of HTTP server requests."
                (MetricPoints.Histogram(Temporality.Cumulative, Items [ histogram ]))
            metric
                "orders.placed"
                "{order}"
                "Orders placed."
                (MetricPoints.Sum(
                    Temporality.Cumulative,
                    true,
                    [
                        point [ KeyValue.string "payment.method" "card \"visa\"" ] (NumberValue.Long 42L)
                    ]
                ))
            metric
                "queue.length"
                "{item}"
                "Items waiting."
                (MetricPoints.Sum(Temporality.Cumulative, false, Items [ point [] (NumberValue.Long 3L) ]))
            metric
                "process.memory.usage"
                "By"
                "Resident memory."
                (MetricPoints.Gauge [ point [] (NumberValue.Long 123456789L) ])
            metric
                "cpu.utilization"
                "1"
                "CPU in use, 0 to 1."
                (MetricPoints.Gauge [ point [ KeyValue.string "cpu.mode" "user\nspace" ] (NumberValue.Double 0.25) ])
        ]

    let resource: Resource =
        {
            Attributes =
                [
                    KeyValue.string "service.name" "shop"
                    KeyValue.string "service.instance.id" "a\\b"
                ]
            SchemaUrl = ""
        }

    let case = PrometheusOptions.defaults, resource, metrics
    let text, dropped = render PrometheusFormat.Text case
    Assert.Equal(0, dropped)
    let code, output = (promtoolCheckAll [| text |])[0]
    Assert.True((code = 0), $"promtool exit code {code}: {output}\n{text}")
    let result = (parseAll [| fst (render PrometheusFormat.OpenMetrics case) |])[0]
    Assert.Equal(None, roundTrip case result)

[<Tests>]
let tests =
    testList
        "PrometheusProperties"
        [
            testPropertyWithConfig
                batchConfig
                "the 0.0.4 text passes promtool check metrics (lint complaints about awkward names only)"
                (``the 0.0.4 text passes promtool check metrics (lint complaints about awkward names only)`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                batchConfig
                "OpenMetrics parses with prometheus_client's strict parser and gives back names, labels and values"
                (``OpenMetrics parses with prometheus_client's strict parser and gives back names, labels and values`` ()
                : FsCheck.Property)
            test "well-named metrics with descriptions are lint-clean for promtool, and OpenMetrics parses" {
                ``well-named metrics with descriptions are lint-clean for promtool, and OpenMetrics parses`` ()
            }
        ]
