/// A real Prometheus (Debian's /usr/bin/prometheus; test.sh installs it) scrapes our endpoint; the test reads the
/// stored series back through Prometheus' HTTP query API.
module Functional.Telemetry.Tests.PrometheusIntegrationTests

open Expecto
open System
open System.Diagnostics
open System.Diagnostics.Metrics
open System.IO
open System.Net
open System.Net.Http
open System.Net.Sockets
open System.Text
open System.Text.Json
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private freePort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

let private prometheusBinary = "/usr/bin/prometheus"

/// One result of an instant query: labels and value.
type private Sample = { Labels: Map<string, string>; Value: float }

let private query (http: HttpClient) (baseUrl: string) (promql: string) =
    task {
        try
            let! json = http.GetStringAsync($"{baseUrl}/api/v1/query?query={Uri.EscapeDataString promql}")
            use doc = JsonDocument.Parse json
            let data = doc.RootElement.GetProperty "data"

            return
                [
                    for r in data.GetProperty("result").EnumerateArray() do
                        let labels =
                            r.GetProperty("metric").EnumerateObject()
                            |> Seq.map (fun p -> p.Name, p.Value.GetString())
                            |> Map.ofSeq

                        let value = r.GetProperty("value").[1].GetString()

                        yield
                            {
                                Labels = labels
                                Value = Double.Parse(value, Globalization.CultureInfo.InvariantCulture)
                            }
                ]
        with :? HttpRequestException ->
            // Prometheus is still starting.
            return []
    }

/// Polls Prometheus (an external process: polling is the only way) until `promql` gives a result that `accept`
/// takes, or the deadline passes.
let private await
    (http: HttpClient)
    baseUrl
    (deadline: DateTime)
    (promql: string)
    (accept: Sample list -> bool)
    (log: unit -> string)
    =
    task {
        let mutable last = []
        let mutable found = false

        while not found && DateTime.UtcNow < deadline do
            let! result = query http baseUrl promql
            last <- result

            if accept result then found <- true else do! Task.Delay 250

        if not found then
            failwith $"Prometheus gave no accepted result for {promql} (last: %A{last}); its log:\n{log ()}"

        return last
    }

let ``a real Prometheus scrapes the endpoint: counter, gauge, histogram quantile and target_info`` () =
    task {
        Assert.True(
            File.Exists prometheusBinary,
            $"{prometheusBinary} is missing: apt-get install prometheus (test.sh does)"
        )

        let meterName = "PromReal." + Guid.NewGuid().ToString("N")
        use meter = new Meter(meterName, "2.1.0")
        let requests = meter.CreateCounter<int64>("prom.real.requests", "", "Requests served")
        let latency = meter.CreateHistogram<float>("prom.real.latency", "ms", "Request latency")

        meter.CreateObservableGauge("prom.real.queue.depth", (fun () -> 17L), "", "Queue depth")
        |> ignore

        use sdk =
            Telemetry.create "prom-real-test"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withResourceAttributes [ KeyValue.string "deployment.environment.name" "ci" ]
            |> Telemetry.withMetrics (
                Metrics.addMeter meterName
                >> Metrics.addPrometheusEndpoint (fun o -> { o with Port = 0 })
            )
            |> Telemetry.start

        let endpoint = Seq.exactlyOne sdk.PrometheusEndpoints
        requests.Add(4L, Collections.Generic.KeyValuePair("route", box "/orders"))
        requests.Add(3L, Collections.Generic.KeyValuePair("route", box "/orders"))

        // 1..10 ms: the median is the 5 ms bucket bound (rank 5 of 10 ends the (0, 5] bucket).
        for v in 1..10 do
            latency.Record(float v)

        Assert.True endpoint.IsListening

        let dir = Directory.CreateTempSubdirectory "prom-real-"
        let promPort = freePort ()

        let config =
            String.concat
                "\n"
                [
                    "global:"
                    "  scrape_interval: 1s"
                    "  scrape_timeout: 1s"
                    "scrape_configs:"
                    "  - job_name: functional"
                    $"    metrics_path: {endpoint.Url.AbsolutePath}"
                    "    static_configs:"
                    $"      - targets: ['127.0.0.1:{endpoint.Url.Port}']"
                    ""
                ]

        let configPath = Path.Combine(dir.FullName, "prometheus.yml")
        File.WriteAllText(configPath, config)

        let dataPath = Path.Combine(dir.FullName, "data")

        let info =
            ProcessStartInfo(
                prometheusBinary,
                [
                    $"--config.file={configPath}"
                    $"--storage.tsdb.path={dataPath}"
                    $"--web.listen-address=127.0.0.1:{promPort}"
                ],
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false
            )

        let output = StringBuilder()
        use prometheus = new Process(StartInfo = info)

        prometheus.OutputDataReceived.Add(fun e ->
            if not (isNull e.Data) then
                lock output (fun () -> output.AppendLine e.Data |> ignore))

        prometheus.ErrorDataReceived.Add(fun e ->
            if not (isNull e.Data) then
                lock output (fun () -> output.AppendLine e.Data |> ignore))

        let log () = lock output (fun () -> output.ToString())

        try
            Assert.True(prometheus.Start())
            prometheus.BeginOutputReadLine()
            prometheus.BeginErrorReadLine()
            use http = new HttpClient(Timeout = TimeSpan.FromSeconds 5.)
            let baseUrl = $"http://127.0.0.1:{promPort}"
            let deadline = DateTime.UtcNow.AddSeconds 60.

            let! up =
                await
                    http
                    baseUrl
                    deadline
                    "up{job=\"functional\"}"
                    (fun r -> r |> List.exists (fun s -> s.Value = 1.0))
                    log

            Assert.Equal(1.0, (List.exactlyOne up).Value)

            let! counter = await http baseUrl deadline "prom_real_requests_total" (List.isEmpty >> not) log
            let series = List.exactlyOne counter
            Assert.Equal(7.0, series.Value)
            Assert.Equal(Some "/orders", series.Labels.TryFind "route")
            Assert.Equal(Some meterName, series.Labels.TryFind "otel_scope_name")

            let! gauge = await http baseUrl deadline "prom_real_queue_depth" (List.isEmpty >> not) log
            Assert.Equal(17.0, (List.exactlyOne gauge).Value)

            let! median =
                await
                    http
                    baseUrl
                    deadline
                    "histogram_quantile(0.5, prom_real_latency_milliseconds_bucket)"
                    (List.isEmpty >> not)
                    log

            Assert.Equal(5.0, (List.exactlyOne median).Value, 6)

            let! count = await http baseUrl deadline "prom_real_latency_milliseconds_count" (List.isEmpty >> not) log
            Assert.Equal(10.0, (List.exactlyOne count).Value)

            let! target = await http baseUrl deadline "target_info" (List.isEmpty >> not) log
            let labels = (List.exactlyOne target).Labels
            Assert.Equal(Some "prom-real-test", labels.TryFind "service_name")
            Assert.Equal(Some "ci", labels.TryFind "deployment_environment_name")
            Assert.Equal(Some "functional-telemetry", labels.TryFind "telemetry_sdk_name")
        finally
            if not prometheus.HasExited then
                prometheus.Kill true
                prometheus.WaitForExit 10000 |> ignore

            sdk.Shutdown(TimeSpan.FromSeconds 5.).Wait()

            try
                dir.Delete true
            with _ ->
                ()
    }

[<Tests>]
let tests =
    testList
        "PrometheusIntegrationTests"
        [
            testTask "a real Prometheus scrapes the endpoint: counter, gauge, histogram quantile and target_info" {
                do! ``a real Prometheus scrapes the endpoint: counter, gauge, histogram quantile and target_info`` ()
            }
        ]
