namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization
open System.Text
open Functional.Telemetry

[<RequireQualifiedAccess>]
module ConsoleTraceFormat =
    let private barWidth = 24

    [<CompiledName("FormatDuration")>]
    let formatDuration (nanoseconds: int64) =
        let ns = float nanoseconds
        let inv (format: string) (value: float) = value.ToString(format, CultureInfo.InvariantCulture)

        if nanoseconds < 1_000L then
            $"{nanoseconds} ns"
        elif nanoseconds < 1_000_000L then
            inv "0.0" (ns / 1e3) + " µs"
        elif nanoseconds < 1_000_000_000L then
            inv "0.00" (ns / 1e6) + " ms"
        else
            inv "0.000" (ns / 1e9) + " s"

    let private kindText kind =
        match kind with
        | SpanKind.Internal -> "internal"
        | SpanKind.Server -> "server"
        | SpanKind.Client -> "client"
        | SpanKind.Producer -> "producer"
        | SpanKind.Consumer -> "consumer"

    let private statusText status =
        match status with
        | Status.Unset -> ""
        | Status.Ok -> "OK"
        | Status.Error "" -> "ERROR"
        | Status.Error description -> $"ERROR: {description}"

    // The bar places the span within the trace's time range, so nesting and overlap read at a glance.
    let private bar (traceStart: int64) (traceLength: int64) (span: SpanView) =
        let scale t =
            if traceLength <= 0L then
                0
            else
                int (float (t - traceStart) * float barWidth / float traceLength)

        let first = min (barWidth - 1) (scale span.StartTime)
        let last = max (first + 1) (min barWidth (scale span.EndTime))
        String(' ', first) + String('█', last - first) + String(' ', barWidth - last)

    // A multi-line value (a stack trace) would break the tree: show its first line and how many follow.
    let private oneLine (text: string) =
        match text.Split('\n') with
        | [| single |] -> single
        | lines -> $"{lines[0].TrimEnd '\r'} (+{lines.Length - 1} lines)"

    let private attributesText (attributes: KeyValue list) =
        attributes |> List.map (string >> oneLine) |> String.concat "  "

    let private renderTrace (builder: StringBuilder) (traceSpans: SpanView list) =
        let traceStart = traceSpans |> List.map (fun s -> s.StartTime) |> List.min
        let traceEnd = traceSpans |> List.map (fun s -> s.EndTime) |> List.max
        let ids = traceSpans |> List.map (fun s -> s.Context.SpanId) |> Set.ofList
        let isShownAsRoot (s: SpanView) = s.IsRoot || not (ids.Contains s.ParentSpanId)

        let childrenOf (parent: SpanId) =
            traceSpans
            |> List.filter (fun s -> not (isShownAsRoot s) && s.ParentSpanId = parent)
            |> List.sortBy (fun s -> s.StartTime)

        let traceId = (List.head traceSpans).Context.TraceId

        builder.AppendLine(
            $"trace {traceId}  {List.length traceSpans} span(s)  {formatDuration (traceEnd - traceStart)}"
        )
        |> ignore

        let rec renderSpan (prefix: string) (isLast: bool) (span: SpanView) =
            let branch = if isLast then "└─ " else "├─ "
            let childPrefix = prefix + (if isLast then "   " else "│  ")

            let continues =
                if span.IsRoot || ids.Contains span.ParentSpanId then
                    ""
                elif span.ParentIsRemote then
                    $" (remote parent {span.ParentSpanId})"
                else
                    $" (parent {span.ParentSpanId})"

            let status = statusText span.Status
            let statusPart = if status = "" then "" else "  " + status

            builder.AppendLine(
                $"{prefix}{branch}{span.Name} [{kindText span.Kind}] {formatDuration span.DurationNanoseconds}{statusPart}{continues}"
            )
            |> ignore

            let detailPrefix = childPrefix + "   "

            builder
                .Append(detailPrefix)
                .Append("|")
                .Append(bar traceStart (traceEnd - traceStart) span)
                .Append("| ")
                .Append(span.Scope.Name)
                .Append("  span ")
                .Append(span.Context.SpanId.ToHex())
                .AppendLine()
            |> ignore

            if not (ReadOnlyList.isEmpty span.Attributes) then
                builder.Append(detailPrefix).AppendLine(attributesText (ReadOnlyList.toList span.Attributes))
                |> ignore

            for event in (ReadOnlyList.toList span.Events) do
                let offset = formatDuration (event.Timestamp - span.StartTime)
                builder.Append(detailPrefix).Append($"event +{offset} {event.Name}") |> ignore

                if not (ReadOnlyList.isEmpty event.Attributes) then
                    builder.Append("  ").Append(attributesText (ReadOnlyList.toList event.Attributes))
                    |> ignore

                builder.AppendLine() |> ignore

            for link in (ReadOnlyList.toList span.Links) do
                builder.Append(detailPrefix).AppendLine($"link {link.Context.TraceId}/{link.Context.SpanId}")
                |> ignore

            let dropped = span.DroppedAttributes + span.DroppedEvents + span.DroppedLinks

            if dropped > 0 then
                builder
                    .Append(detailPrefix)
                    .AppendLine(
                        $"dropped: {span.DroppedAttributes} attribute(s), {span.DroppedEvents} event(s), {span.DroppedLinks} link(s)"
                    )
                |> ignore

            let children = childrenOf span.Context.SpanId

            children
            |> List.iteri (fun i child -> renderSpan childPrefix (i = children.Length - 1) child)

        let roots = traceSpans |> List.filter isShownAsRoot |> List.sortBy (fun s -> s.StartTime)
        roots |> List.iteri (fun i root -> renderSpan "" (i = roots.Length - 1) root)

    /// `render` of the spans the views show.
    let renderViews (spans: SpanView list) =
        let builder = StringBuilder()

        spans
        |> List.groupBy (fun s -> s.Context.TraceId)
        |> List.iter (fun (_, traceSpans) -> renderTrace builder traceSpans)

        builder.ToString()

    [<CompiledName("Render")>]
    let render (spans: Span list) = renderViews (List.map SpanView.OfSpan spans)
