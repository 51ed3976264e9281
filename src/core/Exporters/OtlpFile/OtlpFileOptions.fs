namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess>]
type OtlpFileOutput =
    | Stdout
    | File of path: string

type OtlpFileOptions =
    {
        Output: OtlpFileOutput
        MaxFileBytes: int64
        MaxRotatedFiles: int
        TemporalityPreference: TemporalityPreference
        ExponentialHistograms: bool
    }

[<RequireQualifiedAccess>]
module OtlpFileOptions =
    [<CompiledName("Default")>]
    let defaults =
        {
            Output = OtlpFileOutput.Stdout
            MaxFileBytes = 64L * 1024L * 1024L
            MaxRotatedFiles = 4
            TemporalityPreference = TemporalityPreference.Cumulative
            ExponentialHistograms = false
        }

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        // The metrics variables are the OTLP exporter's; read them as it does.
        let otlp, warnings = OtlpOptions.fromEnvironment OtlpSignal.Metrics lookup

        let own =
            warnings
            |> List.filter (fun w ->
                w.Source = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"
                || w.Source = "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION")

        { defaults with
            TemporalityPreference = otlp.TemporalityPreference
            ExponentialHistograms = otlp.ExponentialHistograms
        },
        own

    let parseOutputStream (text: string) =
        let text = if isNull text then "" else text.Trim()

        if String.Equals(text, "stdout", StringComparison.OrdinalIgnoreCase) then
            Ok OtlpFileOutput.Stdout
        else
            match Uri.TryCreate(text, UriKind.Absolute) with
            | true, uri when uri.IsFile && uri.LocalPath.Length > 0 -> Ok(OtlpFileOutput.File uri.LocalPath)
            | _ -> Error $"expected stdout or a file URI such as file:///var/log/app/traces.jsonl, got '{text}'"

    [<CompiledName("Validate")>]
    let validate (options: OtlpFileOptions) =
        [
            match options.Output with
            | OtlpFileOutput.File path when String.IsNullOrWhiteSpace path ->
                Validation.error (nameof options.Output) "the file path is empty."
            | _ -> ()
            yield!
                Validation.check
                    (options.MaxFileBytes > 0L)
                    (nameof options.MaxFileBytes)
                    $"must be positive, got {options.MaxFileBytes}."
            yield!
                Validation.check
                    (options.MaxRotatedFiles >= 0)
                    (nameof options.MaxRotatedFiles)
                    $"must be zero or more, got {options.MaxRotatedFiles}."
        ]
        |> Validation.ofErrors options
