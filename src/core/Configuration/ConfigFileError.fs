namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// A problem that stops a configuration file from being used: a value of the wrong type, a value out of range, a
/// required key missing, a YAML syntax error, an unsupported `file_format`, a file that cannot be read.
type ConfigFileError =
    {
        /// Where in the document, for example `tracer_provider.processors[0].batch.schedule_delay`; empty for the
        /// document as a whole.
        Path: string
        /// The 1-based line of the offending node; 0 when the problem has no place in the text.
        Line: int
        /// The 1-based column of the offending node; 0 when the problem has no place in the text.
        Column: int
        /// What is wrong.
        Message: string
    }

    /// `line 12, column 9: tracer_provider.processors[0].batch.schedule_delay: expected an integer, got 'soon'`.
    override x.ToString() =
        let place =
            if x.Line > 0 then
                $"line {x.Line}, column {x.Column}: "
            else
                ""

        let path = if x.Path = "" then "" else x.Path + ": "
        place + path + x.Message
