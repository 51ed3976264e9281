namespace Functional.Telemetry.FSharp

[<RequireQualifiedAccess>]
module InstrumentName =
    let private isAsciiLetter (c: char) = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')

    let private isAllowed (c: char) =
        isAsciiLetter c
        || (c >= '0' && c <= '9')
        || c = '_'
        || c = '.'
        || c = '-'
        || c = '/'

    let isValid (name: string) =
        not (isNull name)
        && name.Length >= 1
        && name.Length <= 255
        && isAsciiLetter name[0]
        && name |> Seq.forall isAllowed
