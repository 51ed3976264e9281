namespace Functional.Telemetry

open System
open System.Collections
open System.Collections.Generic
open System.Globalization
open System.Runtime.CompilerServices
open System.Text
open System.Threading

/// A message template made ready to format: its holes numbered in order as a .NET composite format (null when
/// the template cannot be one).
[<Sealed; AllowNullLiteral>]
type internal ParsedTemplate(text: string, format: CompositeFormat, holes: int) =
    member _.Text = text
    member _.Format = format
    member _.Holes = holes

/// One argument array per thread for MessageTemplate's format calls, reused.
[<AbstractClass; Sealed>]
type internal TemplateArguments private () =
    [<ThreadStatic; DefaultValue>]
    static val mutable private scratch: obj array

    /// An array of at least `count` slots, this thread's.
    static member Rent(count: int) =
        let current = TemplateArguments.scratch

        if isNull current || current.Length < count then
            let made = Array.zeroCreate (max 8 count)
            TemplateArguments.scratch <- made
            made
        else
            current

/// Formatting a message template with its values as Microsoft.Extensions.Logging's `LoggerExtensions` and
/// `LoggerMessage.Define` format it (their `FormattedLogValues`), so that the log bridge can format a call's body
/// later, from the values it copied at the call, instead of on the application's thread:
///
/// - each hole (`{Name}`, `{Name,alignment}`, `{Name:format}`) becomes the next position of a composite format
///   (`{0}`, `{1,alignment}`, `{2:format}`); doubled braces stay escaped;
/// - a null value is written `(null)`; a value that is a collection (not a string) is written as its items joined
///   with `, ` (`IFormattable` items in the invariant culture, null items as `(null)`);
/// - the result is `String.Format` in the invariant culture.
///
/// Pure, except for a cache of parsed templates (one per template string instance, as templates are literals).
[<RequireQualifiedAccess>]
module internal MessageTemplate =
    [<Literal>]
    let private NullText = "(null)"

    // The position of the `brace` that ends a run of them which is not an escape, scanning from `start`: a run of
    // an even length is escaped text and the scan goes on; the end of the text ends the scan. An opening brace is
    // the last of its run, a closing one the first. `finish` when there is none.
    let private findBrace (text: string) (brace: char) (start: int) (finish: int) =
        let mutable found = finish
        let mutable run = 0
        let mutable i = start
        let mutable searching = true

        while searching && i < finish do
            let c = text[i]

            if run > 0 && c <> brace then
                if run % 2 = 0 then
                    run <- 0
                    found <- finish
                else
                    searching <- false
            elif c = brace then
                if brace = '}' then
                    if run = 0 then
                        found <- i
                else
                    found <- i

                run <- run + 1

            if searching then
                i <- i + 1

        found

    /// The composite format of a template and its number of holes; the format is null when .NET cannot parse it.
    let parse (text: string) : ParsedTemplate =
        let finish = text.Length
        let openFirst = findBrace text '{' 0 finish

        let tryParse (format: string) =
            try
                CompositeFormat.Parse format
            with :? FormatException ->
                null

        if openFirst = finish then
            ParsedTemplate(text, tryParse text, 0)
        else
            let builder = StringBuilder(text.Length + 8)
            let mutable holes = 0
            let mutable scan = 0

            while scan < finish do
                let openAt =
                    if scan = 0 then
                        openFirst
                    else
                        findBrace text '{' scan finish

                let closeAt = findBrace text '}' openAt finish

                if closeAt = finish then
                    builder.Append(text, scan, finish - scan) |> ignore
                    scan <- finish
                else
                    // The hole's name ends at its alignment (`,`) or format (`:`), if any.
                    let delimiter =
                        match text.AsSpan(openAt, closeAt - openAt).IndexOfAny(',', ':') with
                        | -1 -> closeAt
                        | offset -> openAt + offset

                    builder
                        .Append(text, scan, openAt - scan + 1)
                        .Append(holes.ToString(CultureInfo.InvariantCulture))
                        .Append(text, delimiter, closeAt - delimiter + 1)
                    |> ignore

                    holes <- holes + 1
                    scan <- closeAt + 1

            ParsedTemplate(text, tryParse (builder.ToString()), holes)

    // The parsed templates, by string instance: a direct-mapped table of immutable entries (a lost write only costs
    // a later parse).
    let private parsed: ParsedTemplate array = Array.zeroCreate 256

    /// `parse`, cached per template string instance.
    let parsedOf (text: string) =
        let slot = RuntimeHelpers.GetHashCode text &&& 255
        let entry = Volatile.Read(&parsed[slot])

        if not (isNull entry) && Object.ReferenceEquals(entry.Text, text) then
            entry
        else
            let made = parse text
            Volatile.Write(&parsed[slot], made)
            made

    let private itemText (item: obj) =
        match item with
        | null -> NullText
        | :? IFormattable as formattable -> formattable.ToString(null, CultureInfo.InvariantCulture)
        | other -> other.ToString()

    /// The object written for a value: `(null)`, a collection's items joined, or the value itself.
    let argument (value: obj) : obj =
        match value with
        | null -> NullText
        | :? string -> value
        | :? IEnumerable as items ->
            let builder = StringBuilder()
            let mutable first = true

            for item in items do
                if not first then
                    builder.Append(", ") |> ignore

                builder.Append(itemText item) |> ignore
                first <- false

            builder.ToString()
        | _ -> value

    /// The template formatted with the values of the first `count` pairs (the values of its holes, in order);
    /// ValueNone when the template cannot be a composite format, has more holes than values, or formatting throws (a
    /// value's ToString, a format string the value rejects).
    let tryFormat (text: string) (pairs: KeyValuePair<string, obj> array) (count: int) : string voption =
        let template = parsedOf text

        if isNull template.Format || count < template.Holes then
            ValueNone
        else
            let arguments = TemplateArguments.Rent count

            try
                try
                    for i in 0 .. count - 1 do
                        arguments[i] <- argument pairs[i].Value

                    ValueSome(
                        String.Format(
                            CultureInfo.InvariantCulture,
                            template.Format,
                            ReadOnlySpan<obj>(arguments, 0, count)
                        )
                    )
                with _ ->
                    ValueNone
            finally
                Array.Clear(arguments, 0, count)
