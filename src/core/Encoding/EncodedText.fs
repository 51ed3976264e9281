namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Text

/// Text helpers shared by the OTLP encoders.
module internal EncodedText =
    /// UTF-8 with U+FFFD for invalid UTF-16 (lone surrogates); counting and encoding agree on the replacement.
    let utf8 = UTF8Encoding(false, false)

    /// True when the string holds a surrogate that is not half of a pair.
    let hasLoneSurrogate (text: string) =
        let rec scan i =
            if i >= text.Length then
                false
            else
                let c = text[i]

                if Char.IsHighSurrogate c then
                    if i + 1 < text.Length && Char.IsLowSurrogate text[i + 1] then
                        scan (i + 2)
                    else
                        true
                elif Char.IsLowSurrogate c then
                    true
                else
                    scan (i + 1)

        scan 0

    /// The string with every lone surrogate replaced by U+FFFD (the string itself when there is none).
    let replaceLoneSurrogates (text: string) =
        if hasLoneSurrogate text then
            utf8.GetString(utf8.GetBytes text)
        else
            text
