namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading
open System.Threading.Tasks

[<RequireQualifiedAccess>]
type ExportResult =
    | Success
    | Failure of reason: string
    | Retryable of reason: string * retryAfter: Nullable<TimeSpan>

    static member RetryLater(reason: string) = Retryable(reason, Nullable())

    static member RetryAfter(reason: string, retryAfter: TimeSpan) = Retryable(reason, Nullable retryAfter)

    static member Failed(reason: string) = Failure reason

    static member Retry(reason: string, retryAfter: Nullable<TimeSpan>) = Retryable(reason, retryAfter)

type Batch<'T> = { Resource: Resource; Items: 'T array }

type IExporter<'T> =
    abstract Name: string

    abstract Export: batch: Batch<'T> * cancellationToken: CancellationToken -> Task<ExportResult>

    abstract Shutdown: cancellationToken: CancellationToken -> Task

[<AllowNullLiteral>]
type internal IExportInterest =
    abstract IsInterested: severityNumber: int -> bool

type internal IExportDestination =
    abstract Destination: string

module internal ExportDestination =
    let ofExporter (exporter: obj) =
        match exporter with
        | :? IExportDestination as named -> named.Destination
        | _ -> ""

type internal RequestDelivery =
    delegate of
        body: ReadOnlyMemory<byte> * first: int * count: int * total: int * cancellationToken: CancellationToken ->
            Task<ExportResult>

type internal IRequestExporter<'T> =
    abstract EncodesRequests: bool

    abstract ExportRequests:
        batch: Batch<'T> * deliver: RequestDelivery * cancellationToken: CancellationToken -> Task<ExportResult>

    abstract SendRequest: body: ReadOnlyMemory<byte> * cancellationToken: CancellationToken -> Task<ExportResult>
    abstract RequestKind: string

module internal RequestStage =
    let encodes (exporter: IExporter<'T>) =
        match box exporter with
        | :? IRequestExporter<'T> as requests -> requests.EncodesRequests
        | _ -> false

    let requests (exporter: IExporter<'T>) = box exporter :?> IRequestExporter<'T>

module internal ExportReasons =
    [<Literal>]
    let private prefix = "unreachable: "

    let unreachable (detail: string) = prefix + detail

    let isUnreachable (reason: string) = not (isNull reason) && reason.StartsWith(prefix, StringComparison.Ordinal)
