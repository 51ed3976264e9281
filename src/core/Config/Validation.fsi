namespace Functional.Telemetry.FSharp

/// One way to check settings given in code. Each options type has a pure `validate : 'T -> Result<'T, string list>`
/// whose errors name their setting (`Setting: problem`, made with `Validation.error`); the entry points (the
/// `Tracing`, `Metrics`, `Logging` and `Telemetry` functions, the exporters, the C# facade) turn errors into an
/// `ArgumentException` with `Validation.orThrow`. Settings read from the environment never throw: they are
/// replaced by their default with a `ConfigWarning`.
[<RequireQualifiedAccess>]
module Validation =
    /// An error naming its setting: `Setting: problem`, for example `MaxQueueSize: must be positive, got 0.`
    [<CompiledName("Error")>]
    val error: setting: string -> problem: string -> string

    /// The setting an error names (the text before its first `: `); None when it names none.
    [<CompiledName("SettingOf")>]
    val settingOf: error: string -> string option

    /// Ok with the value when there are no errors, else Error with the errors in order.
    [<CompiledName("OfErrors")>]
    val ofErrors: value: 'T -> errors: string list -> Result<'T, string list>

    /// No error when `isValid`, else the one error `Setting: problem`.
    [<CompiledName("Check")>]
    val check: isValid: bool -> setting: string -> problem: string -> string list

    /// The value of Ok. For Error, throws an ArgumentException whose message holds every error and whose
    /// ParamName is the setting the first error names (`paramName` when it names none).
    [<CompiledName("OrThrow")>]
    val orThrow: paramName: string -> result: Result<'T, string list> -> 'T
