namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open Microsoft.Extensions.Logging
open Functional.Telemetry

type LogEvent =
    {
        Level: LogLevel
        Body: AnyValue
        Attributes: KeyValue list
        EventName: string
        Exception: exn option
    }

[<RequireQualifiedAccess>]
module Logger =
    [<CompiledName("Create")>]
    let create (sdk: TelemetrySdk) (category: string) = sdk.CreateLogger category

    [<CompiledName("Event")>]
    let event (body: string) =
        {
            Level = LogLevel.Information
            Body = AnyValue.String body
            Attributes = []
            EventName = ""
            Exception = None
        }

    [<CompiledName("Emit")>]
    let emit (logger: ILogger) (event: LogEvent) =
        try
            if logger.IsEnabled event.Level then
                let eventId =
                    if System.String.IsNullOrEmpty event.EventName then
                        EventId(0)
                    else
                        EventId(0, event.EventName)

                logger.Log(
                    event.Level,
                    eventId,
                    NativeLogState(event.Body, event.Attributes),
                    Option.toObj event.Exception,
                    NativeLogState.Formatter
                )
        with _ ->
            // Other providers behind a LoggerFactory may throw; the application never sees it.
            ()

    let private write level logger body attributes =
        emit logger { event body with Level = level; Attributes = attributes }

    [<CompiledName("Trace")>]
    let trace logger body attributes = write LogLevel.Trace logger body attributes

    [<CompiledName("Debug")>]
    let debug logger body attributes = write LogLevel.Debug logger body attributes

    [<CompiledName("Info")>]
    let info logger body attributes = write LogLevel.Information logger body attributes

    [<CompiledName("Warn")>]
    let warn logger body attributes = write LogLevel.Warning logger body attributes

    [<CompiledName("Error")>]
    let error logger body attributes = write LogLevel.Error logger body attributes

    [<CompiledName("Critical")>]
    let critical logger body attributes = write LogLevel.Critical logger body attributes
