namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Collections.Generic
open System.Diagnostics
open System.Threading.Tasks
open Functional.Telemetry

/// An export stage's span views, reused: taken on the runner's thread when a batch is read, given back when the
/// batch's export has settled (which may be on another thread). A batch's array is kept with its views (the next
/// batch of the same size takes both); other views wait on a stack, at most `capacity` of them.
[<Sealed>]
type internal SpanViewPool(capacity: int) =
    let free = Stack<SpanView>()
    // Batches given back whole, for the next batches of their size (full batches, usually).
    let batches: SpanView array array = Array.zeroCreate 2

    /// `count` views in an array, reused when there are.
    member _.Rent(count: int) =
        let mutable views = null

        lock free (fun () ->
            let mutable i = 0

            while isNull views && i < batches.Length do
                if not (isNull batches[i]) && batches[i].Length = count then
                    views <- batches[i]
                    batches[i] <- null

                i <- i + 1

            if isNull views then
                views <- Array.zeroCreate<SpanView> count

                for i in 0 .. count - 1 do
                    if free.Count > 0 then
                        views[i] <- free.Pop())

        for i in 0 .. count - 1 do
            if isNull views[i] then
                views[i] <- SpanView()

        views

    /// Clears the views and keeps them (with their array) for later batches.
    member _.Return(views: SpanView array) =
        for view in views do
            view.Clear()

        lock free (fun () ->
            match Array.tryFindIndex isNull batches with
            | Some slot when views.Length > 0 -> batches[slot] <- views
            | _ ->
                for view in views do
                    if free.Count < capacity then
                        free.Push view)

/// Reads a lent Activity or direct span into its view when the view is first read (see SpanView), with the
/// pipeline's limits; a direct span is released once read, or once its view is given back unread. Never throws: an
/// Activity that cannot be read (changed by another thread while read, say) is shown through its record, or,
/// failing that, as an empty span, and the fault reported.
[<Sealed>]
type internal SpanSourceFreezer(limits: SpanLimits) =
    inherit SpanFreezer()

    override _.Release(source) =
        match source with
        | :? DirectSpan as direct -> direct.Release()
        | _ -> ()

    override _.Freeze(view, source) =
        try
            match source with
            | :? DirectSpan as direct -> direct.ShowIn(view, limits)
            | _ -> ActivityConversion.freeze limits view (source :?> Activity)
        with ex ->
            SelfDiagnostics.error "tracing" $"span conversion threw {ex.GetType().FullName}; span shown empty"

            try
                match source with
                | :? DirectSpan as direct -> view.SetRecord(direct.ToSpan limits)
                | _ -> view.SetRecord(ActivityConversion.toSpan limits (source :?> Activity))
            with _ ->
                view.SetFrozen(
                    SpanContext.Invalid,
                    SpanId.Empty,
                    false,
                    "",
                    SpanKind.Internal,
                    0L,
                    0L,
                    Status.Unset,
                    InstrumentationScope.Named "",
                    0
                )

/// The export stage of a span pipeline, run by the runner for each batch of ended spans: stopped Activities, and
/// the ended spans of direct tracers (`DirectSpan`). An exporter of views
/// (OTLP, console, ETW, `SpanViewExporter`) gets each Activity lent to a reused `SpanView`, frozen when first read
/// (its data copied as it is then, see `ActivityConversion.freeze`): no `Span` record is made for it, and a view the
/// exporter never reads costs nothing more. An exporter of
/// records gets immutable `Span` records (limits applied). Processors take and return records: with processors,
/// every span becomes a record first, and an exporter of views then gets views of the records they kept.
/// Doing this off the application's thread keeps the instrumented code's cost to the Activity and one queue write.
/// A retried batch is converted once: the retry sends the same spans, and processors see each span once.
[<Sealed>]
type internal SpanExportStage(limits: SpanLimits, processors: Processor<Span> list, exporter: IExporter<Span>) =
    let views = ViewExporters.spans exporter
    let processor = Processor.chain processors
    let pool = SpanViewPool 4096
    let freezer = SpanSourceFreezer limits

    // The record of an ended span: an Activity's, or a direct span's (which is released once read).
    let recordOf (item: obj) =
        match item with
        | :? DirectSpan as direct ->
            try
                direct.ToSpan limits
            finally
                direct.Release()
        | item -> ActivityConversion.toSpan limits (item :?> Activity)

    let toSpan (item: obj) =
        try
            processor (recordOf item)
        with ex ->
            SelfDiagnostics.error "tracing" $"span processing threw {ex.GetType().FullName}; span dropped"
            None

    let convert (items: obj array) =
        // Without processors every span is kept: no option per span.
        if processors.IsEmpty then
            let spans = Array.zeroCreate items.Length
            let mutable kept = 0

            for item in items do
                try
                    spans[kept] <- recordOf item
                    kept <- kept + 1
                with ex ->
                    // One bad Activity must not fail the batch: it is dropped.
                    SelfDiagnostics.error "tracing" $"span conversion threw {ex.GetType().FullName}; span dropped"

            if kept = spans.Length then
                spans
            else
                Array.sub spans 0 kept
        else
            items |> Array.choose toSpan

    // Each ended span lent to a view of the pool, read when first read (a view nobody reads costs this and its
    // return to the pool).
    let lend (items: obj array) =
        let lent = pool.Rent items.Length

        for i in 0 .. items.Length - 1 do
            lent[i].Lend(items[i], freezer)

        lent

    let viewsOfRecords (items: obj array) = convert items |> Array.map SpanView.OfSpan

    let recordMemo = ConversionMemo<obj, Span>()
    let lentMemo = ConversionMemo<obj, SpanView>(pool.Return)
    let viewMemo = ConversionMemo<obj, SpanView>()

    let exportViews (batch: Batch<obj>) (send: SpanView array -> Task<ExportResult>) =
        if processors.IsEmpty then
            lentMemo.Export(batch, lend, send)
        else
            viewMemo.Export(batch, viewsOfRecords, send)

    interface IExporter<obj> with
        member _.Name = exporter.Name

        member _.Export(batch, token) =
            // Suppressed throughout: an Activity started by a processor, a tag's ToString or the exporter (an
            // HttpClient span, say) must not become a span to export, or export would feed itself.
            Suppression.Run(fun () ->
                match views with
                | None ->
                    recordMemo.Export(
                        batch,
                        convert,
                        fun spans -> exporter.Export({ Resource = batch.Resource; Items = spans }, token)
                    )
                | Some views ->
                    exportViews batch (fun items -> views.Export({ Resource = batch.Resource; Items = items }, token)))

        member _.Shutdown token = exporter.Shutdown token

    // The store's path (see IRequestExporter): the same conversion, the requests handed to the runner.
    interface IRequestExporter<obj> with
        member _.EncodesRequests =
            match views with
            | None -> RequestStage.encodes exporter
            | Some views -> RequestStage.encodes views

        member _.ExportRequests(batch, deliver, token) =
            Suppression.Run(fun () ->
                match views with
                | None ->
                    recordMemo.Export(
                        batch,
                        convert,
                        fun spans ->
                            (RequestStage.requests exporter)
                                .ExportRequests({ Resource = batch.Resource; Items = spans }, deliver, token)
                    )
                | Some views ->
                    exportViews batch (fun items ->
                        (RequestStage.requests views)
                            .ExportRequests({ Resource = batch.Resource; Items = items }, deliver, token)))

        member _.SendRequest(body, token) =
            Suppression.Run(fun () ->
                match views with
                | None -> (RequestStage.requests exporter).SendRequest(body, token)
                | Some views -> (RequestStage.requests views).SendRequest(body, token))

        member _.RequestKind =
            match views with
            | None -> (RequestStage.requests exporter).RequestKind
            | Some views -> (RequestStage.requests views).RequestKind

    interface IExportDestination with
        member _.Destination = ExportDestination.ofExporter exporter
