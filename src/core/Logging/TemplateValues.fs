namespace Functional.Telemetry

open System
open System.Runtime.CompilerServices
open System.Threading

/// An immutable entry of the table: a template string instance and its shared value.
[<Sealed; AllowNullLiteral>]
type internal TemplateValue(text: string, value: AnyValue) =
    member _.Text = text
    member _.Value = value

/// The log bridge's cache of template values: one shared `AnyValue.String` per template string instance
/// (templates are usually literals, the same instance on every call), so a record's body or `{OriginalFormat}`
/// attribute allocates nothing. A small direct-mapped table of immutable entries, safe to read and replace
/// from any thread (a torn read cannot happen, a lost write only costs a later miss).
[<AbstractClass; Sealed>]
type internal TemplateValues private () =
    static let entries: TemplateValue array = Array.zeroCreate 256

    static let valueOf (text: string) =
        let slot = RuntimeHelpers.GetHashCode text &&& 255
        let entry = Volatile.Read(&entries[slot])

        if not (isNull entry) && Object.ReferenceEquals(entry.Text, text) then
            entry.Value
        else
            let value = AnyValue.String text
            Volatile.Write(&entries[slot], TemplateValue(text, value))
            value

    // Made once, so handing it to LogMapping allocates nothing.
    static let get: string -> AnyValue = valueOf

    /// The shared `AnyValue.String` of a template.
    static member Of(text: string) = valueOf text

    /// `Of` as a function value (for `LogMapping`'s `templateValue` parameter).
    static member Get = get
