namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Where a node starts in the text: 1-based line and column.
[<Struct>]
type internal Position = { Line: int; Column: int }

/// A scalar after environment variable substitution, typed by the YAML 1.2 core schema (a quoted scalar is always a
/// string; a plain one is resolved after substitution, as the specification requires).
[<RequireQualifiedAccess>]
type internal ScalarValue =
    | Null
    | Bool of bool
    | Int of int64
    | Float of float
    | String of string

/// A configuration document as a tree: what the schema walk and the mapping read. Keys are never substituted.
[<RequireQualifiedAccess>]
type internal ConfigNode =
    | Scalar of value: ScalarValue * text: string * position: Position
    | Mapping of entries: (string * Position * ConfigNode) list * position: Position
    | Sequence of items: ConfigNode list * position: Position

    member x.Position =
        match x with
        | Scalar(_, _, p)
        | Mapping(_, p)
        | Sequence(_, p) -> p

    member x.IsNull =
        match x with
        | Scalar(ScalarValue.Null, _, _) -> true
        | _ -> false

/// How bad a finding is: a warning leaves the file usable, an error does not.
[<RequireQualifiedAccess>]
type internal Severity =
    | Warning
    | Error

/// One finding about a configuration file, at a path and position.
type internal Diagnostic =
    {
        Severity: Severity
        Path: string
        Position: Position
        Message: string
    }

[<RequireQualifiedAccess>]
module internal Diagnostic =
    let noPosition = { Line = 0; Column = 0 }

    let warning path position message =
        {
            Severity = Severity.Warning
            Path = path
            Position = position
            Message = message
        }

    let error path position message =
        {
            Severity = Severity.Error
            Path = path
            Position = position
            Message = message
        }

    let isError (d: Diagnostic) = d.Severity = Severity.Error

    let toError (d: Diagnostic) : ConfigFileError =
        {
            Path = d.Path
            Line = d.Position.Line
            Column = d.Position.Column
            Message = d.Message
        }

    /// A warning as the rest of the SDK reports them: the source is the node's path, the message says where it is.
    let toWarning (d: Diagnostic) : ConfigWarning =
        let source = if d.Path = "" then "configuration file" else d.Path

        let place =
            if d.Position.Line > 0 then
                $" (line {d.Position.Line}, column {d.Position.Column})"
            else
                ""

        { Source = source; Message = d.Message + place }

    /// `parent.key`, or `key` at the root.
    let child (path: string) (key: string) = if path = "" then key else path + "." + key

    /// `parent[index]`.
    let item (path: string) (index: int) = $"{path}[{index}]"

/// Values found with their diagnostics: the mapping's writer, so finding problems needs no mutable state.
type internal Mapped<'T> = 'T * Diagnostic list

[<RequireQualifiedAccess>]
module internal Mapped =
    let ok value : Mapped<'T> = value, []

    let report (diagnostic: Diagnostic) : Mapped<unit> = (), [ diagnostic ]

    let bind (f: 'T -> Mapped<'U>) ((value, found): Mapped<'T>) : Mapped<'U> =
        let next, more = f value
        next, found @ more

    let map (f: 'T -> 'U) ((value, found): Mapped<'T>) : Mapped<'U> = f value, found

    let traverse (f: 'T -> Mapped<'U>) (items: 'T list) : Mapped<'U list> =
        let results = items |> List.map f
        results |> List.map fst, results |> List.collect snd

    let choose (f: 'T -> Mapped<'U option>) (items: 'T list) : Mapped<'U list> =
        traverse f items |> map (List.choose id)

type internal MappedBuilder() =
    member _.Return value : Mapped<'T> = Mapped.ok value
    member _.ReturnFrom(m: Mapped<'T>) = m
    member _.Bind(m: Mapped<'T>, f: 'T -> Mapped<'U>) = Mapped.bind f m
    member _.Zero() : Mapped<unit> = Mapped.ok ()
    member _.Combine(first: Mapped<unit>, second: unit -> Mapped<'T>) = Mapped.bind second first
    member _.Delay(f: unit -> Mapped<'T>) = f

    member _.For(items: seq<'T>, body: 'T -> Mapped<unit>) : Mapped<unit> =
        (), items |> List.ofSeq |> List.collect (body >> snd)

    member _.Run(f: unit -> Mapped<'T>) = f ()

[<AutoOpen>]
module internal MappedSyntax =
    /// `mapped { let! x = ...; do! Mapped.report ...; return ... }`.
    let mapped = MappedBuilder()
