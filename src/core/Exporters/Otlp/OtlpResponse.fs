namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization
open System.Text
open System.Text.Json
open Google.Protobuf
open Google.Rpc
open Grpc.Core

/// A partial success reported by the peer: it accepted the request but rejected some items.
type internal OtlpPartialSuccess =
    {
        /// Items the peer rejected (spans, data points or log records).
        RejectedCount: int64
        /// The peer's explanation (may be empty).
        ErrorMessage: string
    }

/// Just enough of a protobuf reader for the partial success of OTLP responses: varints and length-delimited
/// fields; anything malformed gives None.
module internal ProtoReader =
    let tryReadVarint (data: byte array) (position: int) : (uint64 * int) option =
        let rec loop (value: uint64) shift index =
            if index >= data.Length || shift > 63 then
                None
            else
                let b = data.[index]
                let value = value ||| (uint64 (b &&& 0x7Fuy) <<< shift)

                if b &&& 0x80uy = 0uy then
                    Some(value, index + 1)
                else
                    loop value (shift + 7) (index + 1)

        loop 0UL 0 position

    /// A field's value: Varint, Bytes (length-delimited) or Skipped (fixed32/fixed64).
    type FieldValue =
        | Varint of uint64
        | Bytes of byte array
        | Skipped

    /// All fields of a message, in order, or None when malformed.
    let tryReadFields (data: byte array) : (int * FieldValue) list option =
        let rec loop position acc =
            if position = data.Length then
                Some(List.rev acc)
            else
                match tryReadVarint data position with
                | None -> None
                | Some(key, next) ->
                    let field = int (key >>> 3)

                    match int (key &&& 7UL) with
                    | 0 ->
                        match tryReadVarint data next with
                        | Some(v, after) -> loop after ((field, Varint v) :: acc)
                        | None -> None
                    | 1 when next + 8 <= data.Length -> loop (next + 8) ((field, Skipped) :: acc)
                    | 5 when next + 4 <= data.Length -> loop (next + 4) ((field, Skipped) :: acc)
                    | 2 ->
                        match tryReadVarint data next with
                        | Some(length, start) when length <= uint64 (data.Length - start) ->
                            let length = int length
                            loop (start + length) ((field, Bytes(data.AsSpan(start, length).ToArray())) :: acc)
                        | _ -> None
                    | _ -> None

        if isNull data then None else loop 0 []

/// Pure reading of OTLP responses: status classification, Retry-After, partial success and gRPC RetryInfo.
/// Every function is total: malformed input gives None (or a Failure), never an exception.
[<RequireQualifiedAccess>]
module internal OtlpResponse =
    /// Parses a Retry-After value: delay seconds, or an HTTP date (relative to `now`; a past date gives zero).
    let parseRetryAfter (now: DateTimeOffset) (value: string) =
        if String.IsNullOrWhiteSpace value then
            None
        else
            let text = value.Trim()

            match Int64.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture) with
            | true, seconds when seconds <= int64 (TimeSpan.MaxValue.TotalSeconds) ->
                Some(TimeSpan.FromSeconds(float seconds))
            | true, _ -> None
            | _ ->
                match
                    DateTimeOffset.TryParse(
                        text,
                        CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal ||| DateTimeStyles.AllowWhiteSpaces
                    )
                with
                | true, date -> Some(if date > now then date - now else TimeSpan.Zero)
                | _ -> None

    /// Classifies an HTTP status: 2xx Success; 429, 502, 503, 504 Retryable (after `retryAfter`); others Failure.
    let classifyHttp (status: int) (retryAfter: TimeSpan option) =
        if status >= 200 && status < 300 then
            ExportResult.Success
        else
            match status with
            | 429
            | 502
            | 503
            | 504 -> ExportResult.Retryable($"HTTP {status}", Option.toNullable retryAfter)
            | _ -> ExportResult.Failure $"HTTP {status}"

    let private grpcCodeName code =
        match code with
        | 0 -> "OK"
        | 1 -> "CANCELLED"
        | 2 -> "UNKNOWN"
        | 3 -> "INVALID_ARGUMENT"
        | 4 -> "DEADLINE_EXCEEDED"
        | 5 -> "NOT_FOUND"
        | 6 -> "ALREADY_EXISTS"
        | 7 -> "PERMISSION_DENIED"
        | 8 -> "RESOURCE_EXHAUSTED"
        | 9 -> "FAILED_PRECONDITION"
        | 10 -> "ABORTED"
        | 11 -> "OUT_OF_RANGE"
        | 12 -> "UNIMPLEMENTED"
        | 13 -> "INTERNAL"
        | 14 -> "UNAVAILABLE"
        | 15 -> "DATA_LOSS"
        | 16 -> "UNAUTHENTICATED"
        | _ -> "UNKNOWN_CODE"

    /// The delay of the google.rpc.RetryInfo in a failed call's `grpc-status-details-bin` trailer (a
    /// google.rpc.Status, read with Grpc.StatusProto and Google.Api.CommonProtos): RetryInfo without a delay gives
    /// zero; no status, no RetryInfo, malformed bytes or a negative or out-of-range delay give None.
    let retryDelay (trailers: Metadata) =
        if isNull trailers then
            None
        else
            match trailers.GetRpcStatus(ignoreParseError = true) with
            | null -> None
            | status ->
                try
                    match status.GetDetail<RetryInfo>() with
                    | null -> None
                    | info when isNull info.RetryDelay -> Some TimeSpan.Zero
                    | info ->
                        let delay = info.RetryDelay.ToTimeSpan()
                        if delay < TimeSpan.Zero then None else Some delay
                with
                // A detail whose bytes are not its type's message; a delay that is no valid duration.
                | :? InvalidProtocolBufferException
                | :? InvalidOperationException -> None

    /// Classifies a gRPC status code: 0 Success; 1, 4, 10, 11, 14, 15 Retryable; 8 (RESOURCE_EXHAUSTED) Retryable
    /// only when the call's status details carry a google.rpc.RetryInfo (`retryDelay`, see `retryDelay`), after
    /// its delay; others Failure. The reason names the code; the server's message is not included (it may echo
    /// request content).
    let classifyGrpc (status: int) (retryDelay: TimeSpan option) =
        let reason = $"gRPC status {status} ({grpcCodeName status})"

        match status with
        | 0 -> ExportResult.Success
        | 1
        | 4
        | 10
        | 11
        | 14
        | 15 -> ExportResult.Retryable(reason, Nullable())
        | 8 ->
            match retryDelay with
            | Some delay -> ExportResult.Retryable(reason, Nullable delay)
            | None -> ExportResult.Failure reason
        | _ -> ExportResult.Failure reason

    let private nonEmpty (partial: OtlpPartialSuccess) =
        if partial.RejectedCount <> 0L || partial.ErrorMessage <> "" then
            Some partial
        else
            None

    /// Reads `partial_success` (field 1: rejected count = field 1, error_message = field 2) of a protobuf
    /// Export*ServiceResponse; None when absent, empty or malformed.
    let tryReadPartialSuccessProtobuf (body: byte array) =
        ProtoReader.tryReadFields body
        |> Option.bind (
            List.tryPick (function
                | 1, ProtoReader.Bytes b -> Some b
                | _ -> None)
        )
        |> Option.bind ProtoReader.tryReadFields
        |> Option.bind (fun fields ->
            let rejected =
                fields
                |> List.tryPick (function
                    | 1, ProtoReader.Varint v -> Some(int64 v)
                    | _ -> None)
                |> Option.defaultValue 0L

            let message =
                fields
                |> List.tryPick (function
                    | 2, ProtoReader.Bytes b -> Some(Encoding.UTF8.GetString b)
                    | _ -> None)
                |> Option.defaultValue ""

            nonEmpty { RejectedCount = rejected; ErrorMessage = message })

    let private tryJsonInt64 (element: JsonElement) =
        match element.ValueKind with
        | JsonValueKind.Number ->
            match element.TryGetInt64() with
            | true, v -> Some v
            | _ -> None
        | JsonValueKind.String ->
            match Int64.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
            | true, v -> Some v
            | _ -> None
        | _ -> None

    /// Reads `partialSuccess` of an OTLP/JSON Export*ServiceResponse (`rejectedSpans`, `rejectedDataPoints` or
    /// `rejectedLogRecords`, as a number or a string, and `errorMessage`); None when absent, empty or malformed.
    let tryReadPartialSuccessJson (body: byte array) =
        if isNull body || body.Length = 0 then
            None
        else
            try
                use document = JsonDocument.Parse(ReadOnlyMemory body)
                let root = document.RootElement

                match root.ValueKind with
                | JsonValueKind.Object ->
                    match root.TryGetProperty "partialSuccess" with
                    | true, partial when partial.ValueKind = JsonValueKind.Object ->
                        let rejected =
                            [ "rejectedSpans"; "rejectedDataPoints"; "rejectedLogRecords" ]
                            |> List.tryPick (fun key ->
                                match partial.TryGetProperty key with
                                | true, v -> tryJsonInt64 v
                                | _ -> None)
                            |> Option.defaultValue 0L

                        let message =
                            match partial.TryGetProperty "errorMessage" with
                            | true, v when v.ValueKind = JsonValueKind.String -> v.GetString()
                            | _ -> ""

                        nonEmpty { RejectedCount = rejected; ErrorMessage = message }
                    | _ -> None
                | _ -> None
            with :? JsonException ->
                None

    /// Replaces every configured header value in a peer's text (a peer may echo what it was sent).
    let redact (headers: (string * string) list) (text: string) =
        let text = if isNull text then "" else text

        // Replace before truncating, so a cut never leaves a prefix of a secret behind.
        let redacted =
            headers
            |> List.fold
                (fun (acc: string) (_, value) ->
                    if String.IsNullOrEmpty value then
                        acc
                    else
                        acc.Replace(value, "[redacted]", StringComparison.Ordinal))
                text

        if redacted.Length > 256 then
            redacted.Substring(0, 256) + "..."
        else
            redacted
