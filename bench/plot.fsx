// Draws ours against the official SDK, per benchmark row, from BenchmarkDotNet's CSV reports.
//
//   dotnet fsi bench/plot.fsx <out.svg> <report.csv or results directory>...
//
// Each report is one benchmark class (BenchmarkDotNet.Artifacts/results/*-report.csv). In a class, the official SDK's
// method is the `Baseline`, so the `Ratio` and `Alloc Ratio` columns read as ours / official. A row is keyed by class,
// method and categories; given several runs (several reports of the same class), a row's bar is the median ratio and
// its whisker the smallest and largest. Two panels: time ratio and allocated-bytes ratio, with a line at 1.0 (parity).
// Rows whose baseline allocates nothing have no bytes ratio (BenchmarkDotNet prints NA) and show none.

open System
open System.Globalization
open System.IO
open System.Text

/// Splits one CSV line (BenchmarkDotNet quotes fields holding commas).
let splitCsv (line: string) =
    let fields = ResizeArray<string>()
    let current = StringBuilder()
    let mutable quoted = false

    for c in line do
        match c with
        | '"' -> quoted <- not quoted
        | ',' when not quoted ->
            fields.Add(current.ToString())
            current.Clear() |> ignore
        | c -> current.Append c |> ignore

    fields.Add(current.ToString())
    fields.ToArray()

let tryRatio (text: string) =
    match Double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture) with
    | true, value when value > 0.0 -> Some value
    | _ -> None

type Row =
    {
        Key: string
        Time: float option
        Bytes: float option
        /// BenchmarkDotNet's Mean of our row, as it printed it (with its unit).
        Mean: string
    }

let readReport (path: string) =
    let lines = File.ReadAllLines path |> Array.filter (String.IsNullOrWhiteSpace >> not)
    let header = splitCsv lines[0]

    let column name =
        Array.tryFindIndex ((=) name) header
        |> Option.defaultWith (fun () -> failwithf "%s: no column '%s'" path name)

    let method, categories, ratio, allocRatio, mean =
        column "Method",
        Array.tryFindIndex ((=) "Categories") header,
        column "Ratio",
        Array.tryFindIndex ((=) "Alloc Ratio") header,
        column "Mean"

    // The benchmarks' parameters (the metrics rows' exemplar filter) are part of a row's key.
    let parameters =
        [ "Exemplars" ]
        |> List.choose (fun name -> Array.tryFindIndex ((=) name) header)

    let benchmarkClass =
        let name = Path.GetFileName(path).Replace("-report.csv", "")
        name.Substring(name.LastIndexOf '.' + 1)

    [
        for line in lines[1..] do
            let fields = splitCsv line
            let time = tryRatio fields[ratio]
            // The baseline row reads 1.00 against itself: only ours are drawn            // (named Official..., or ..._Official)
            if not (fields[method].Contains "Official") then
                let category =
                    (categories |> Option.map (fun i -> fields[i]) |> Option.toList)
                    @ (parameters |> List.map (fun i -> fields[i]))
                    |> String.concat " "

                yield
                    {
                        Key = sprintf "%s %s %s" benchmarkClass fields[method] category |> fun s -> s.Trim()
                        Time = time
                        Bytes = allocRatio |> Option.bind (fun i -> tryRatio fields[i])
                        Mean = fields[mean]
                    }
    ]

let reports =
    match fsi.CommandLineArgs |> Array.toList |> List.tail with
    | _ :: (_ :: _ as inputs) ->
        inputs
        |> List.collect (fun input ->
            if Directory.Exists input then
                Directory.GetFiles(input, "*-report.csv", SearchOption.AllDirectories)
                |> List.ofArray
            else
                [ input ])
    | _ ->
        eprintfn "usage: dotnet fsi bench/plot.fsx <out.svg> <report.csv or directory>..."
        exit 2

let output = fsi.CommandLineArgs[1]

let rows =
    reports
    |> List.collect readReport
    |> List.groupBy _.Key
    |> List.sortBy fst
    |> List.map (fun (key, runs) ->
        let spread (values: float list) =
            match List.sort values with
            | [] -> None
            | sorted -> Some(List.head sorted, sorted[sorted.Length / 2], List.last sorted)

        key, spread (List.choose _.Time runs), spread (List.choose _.Bytes runs), runs)

// Layout: one line per row, a label column, then two panels on a log2 scale from 1/8x to 8x.
let labelWidth, panelWidth, lineHeight, top = 430.0, 300.0, 18.0, 46.0
let width = labelWidth + 2.0 * panelWidth + 60.0
let height = top + lineHeight * float rows.Length + 30.0
let minLog, maxLog = -3.0, 3.0

let x panel (ratio: float) =
    let clamped = Math.Clamp(Math.Log2 ratio, minLog, maxLog)

    labelWidth
    + float panel * (panelWidth + 30.0)
    + (clamped - minLog) / (maxLog - minLog) * panelWidth

let svg = StringBuilder()
let add (text: string) = svg.AppendLine text |> ignore
let f (v: float) = v.ToString("0.#", CultureInfo.InvariantCulture)

add (
    sprintf
        "<svg xmlns='http://www.w3.org/2000/svg' width='%s' height='%s' font-family='sans-serif' font-size='11'>"
        (f width)
        (f height)
)

add (sprintf "<rect width='%s' height='%s' fill='white'/>" (f width) (f height))

for panel, title in
    [
        0, "time, ours / official (log scale)"
        1, "allocated bytes, ours / official"
    ] do
    add (sprintf "<text x='%s' y='16' font-weight='bold'>%s</text>" (f (x panel 0.125)) title)

    for tick in [ 0.125; 0.25; 0.5; 1.0; 2.0; 4.0; 8.0 ] do
        let tx = x panel tick
        let stroke = if tick = 1.0 then "#000" else "#ddd"

        add (
            sprintf
                "<line x1='%s' y1='%s' x2='%s' y2='%s' stroke='%s'/>"
                (f tx)
                (f (top - 8.0))
                (f tx)
                (f (height - 24.0))
                stroke
        )

        add (
            sprintf
                "<text x='%s' y='%s' text-anchor='middle' fill='#555'>%sx</text>"
                (f tx)
                (f (height - 10.0))
                (string tick)
        )

rows
|> List.iteri (fun i (key, time, bytes, runs) ->
    let runs = List.length runs

    let y = top + lineHeight * float i

    add (
        sprintf
            "<text x='4' y='%s'>%s (%d run%s)</text>"
            (f (y + 12.0))
            (Net.WebUtility.HtmlEncode key)
            runs
            (if runs = 1 then "" else "s")
    )

    for panel, spread in [ 0, time; 1, bytes ] do
        match spread with
        | Some(low, median, high) ->
            let colour = if median <= 1.0 then "#2a7" else "#d54"
            let x0, xm = x panel 1.0, x panel median

            add (
                sprintf
                    "<rect x='%s' y='%s' width='%s' height='10' fill='%s'/>"
                    (f (min x0 xm))
                    (f (y + 3.0))
                    (f (abs (xm - x0)))
                    colour
            )

            add (
                sprintf
                    "<line x1='%s' y1='%s' x2='%s' y2='%s' stroke='#000'/>"
                    (f (x panel low))
                    (f (y + 8.0))
                    (f (x panel high))
                    (f (y + 8.0))
            )

            add (
                sprintf
                    "<text x='%s' y='%s' fill='#333'>%s</text>"
                    (f (x panel high + 4.0))
                    (f (y + 12.0))
                    (median.ToString("0.00", CultureInfo.InvariantCulture))
            )
        | None -> ())

add "</svg>"
File.WriteAllText(output, svg.ToString())
printfn "%s: %d rows from %d reports" output rows.Length reports.Length

// The same rows as a Markdown table (median ratio, then the smallest and largest over the runs), for docs/benchmarks.md.
let cell spread =
    match spread with
    | Some(low, median, high) -> sprintf "%.2fx (%.2f-%.2f)" median low high
    | None -> "-"

printfn ""

printfn
    "| row | runs | time, ours / official: median (min-max) | bytes, ours / official | ours, BenchmarkDotNet mean per run |"

printfn "| --- | ---: | ---: | ---: | --- |"

for key, time, bytes, runs in rows do
    let means = runs |> List.map _.Mean |> String.concat "; "
    printfn "| %s | %d | %s | %s | %s |" key runs.Length (cell time) (cell bytes) means
