// The F# demo of Functional.Telemetry: the F# pipeline API and the native F# Tracer.
// Run it with `dotnet run --project examples/FSharpDemo`. It needs no server or configuration:
// spans are printed to the console as trace trees when `telemetry` is disposed at the end.
module FSharpDemo.Program

open System
open System.Threading.Tasks
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// Health checks are noise: this processor drops them.
let dropHealthChecks: Processor<Span> = Processor.filter (fun span -> span.Name <> "health check")

/// Plain `Span -> Span` functions compose with `>>`, then `Processor.map` lifts them into a processor.
let redactAndTag: Processor<Span> =
    Processor.map (
        SpanProcessor.redact [ "card.number" ] "****"
        >> SpanProcessor.setAttribute "team" (AnyValue.String "payments")
    )

let priceOf (tracer: Tracer) (sku: string) : Task<float> =
    Tracer.inSpanTask tracer "price lookup" (fun span ->
        task {
            span |> ActiveSpan.setAttribute "sku" (AnyValue.String sku)
            do! Task.Delay 15
            return 42.5
        })

let stockOf (tracer: Tracer) (sku: string) : Async<int> =
    Tracer.inSpanAsync tracer "stock check" (fun span ->
        async {
            span |> ActiveSpan.setAttribute "sku" (AnyValue.String sku)
            do! Async.Sleep 10
            return 3
        })

let charge (tracer: Tracer) (amount: float) =
    Tracer.inSpan tracer "charge card" (fun span ->
        span |> ActiveSpan.setAttribute "amount" (AnyValue.Double amount)
        // inSpan records the exception on the span (an `exception` event, Error status), then rethrows it.
        if amount > 40.0 then
            invalidOp "card declined"

        "ok")

[<EntryPoint>]
let main _ =
    // Start telemetry first: it installs the propagator and starts listening to the sources.
    use telemetry =
        Telemetry.create "fsharp-demo"
        |> Telemetry.withResourceAttributes [ KeyValue.string "deployment.environment.name" "demo" ]
        |> Telemetry.withTracing (
            Tracing.addSource "FSharpDemo.*"
            >> Tracing.addProcessor dropHealthChecks
            >> Tracing.addProcessor redactAndTag
            >> Tracing.addConsoleExporter
        )
        |> Telemetry.start

    use tracer = Tracer.create "FSharpDemo.Shop" (Some "1.0.0")

    Tracer.inSpan tracer "health check" ignore

    Tracer.inSpan tracer "checkout" (fun checkout ->
        checkout
        |> ActiveSpan.setAttribute "card.number" (AnyValue.String "4111 1111 1111 1111")

        let price = (priceOf tracer "book-42").GetAwaiter().GetResult()
        let stock = stockOf tracer "book-42" |> Async.RunSynchronously
        printfn "price %.2f, %d in stock" price stock

        try
            charge tracer price |> ignore
        with error ->
            printfn "charge failed: %s" error.Message

            checkout
            |> ActiveSpan.addEvent "payment retried" [ KeyValue.string "payment.method" "invoice" ]

        // startSpan with full options: a producer span with attributes the sampler sees.
        let publish =
            { Tracer.named "publish order" with
                Kind = SpanKind.Producer
                Attributes = [ KeyValue.string "messaging.system" "demo-queue" ]
            }

        use _ = Tracer.startSpan tracer publish
        checkout |> ActiveSpan.setStatus Status.Ok)

    printfn ""
    printfn "Traces (printed when telemetry is disposed; the health check was filtered out):"
    0
