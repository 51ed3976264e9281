/// Every generator the properties use, in one place.
module Functional.Telemetry.PropertyTests.Arbs

open FsCheck
open FsCheck.FSharp
open Functional.Telemetry

/// Any 64-bit unsigned integer.
let uint64Gen: Gen<uint64> = ArbMap.defaults.ArbFor<uint64>().Generator

/// Random trace ids (valid and, rarely, all-zero).
let traceId: Gen<TraceId> =
    Gen.map2 (fun (a: uint64) (b: uint64) -> TraceId(a, b)) uint64Gen uint64Gen

/// Random valid (non-zero) trace ids.
let validTraceId: Gen<TraceId> = traceId |> Gen.filter (fun t -> t.IsValid)

/// Random valid (non-zero) span ids.
let validSpanId: Gen<SpanId> =
    uint64Gen |> Gen.filter (fun v -> v <> 0UL) |> Gen.map SpanId

// ---- helper B generators ----

// ---- helper A generators ----

let private charsOf (text: string) = Gen.elements (List.ofSeq text)

let private stringOf (minLength: int) (maxLength: int) (chars: Gen<char>) =
    gen {
        let! length = Gen.choose (minLength, maxLength)
        let! picked = Gen.listOfLength length chars
        return System.String(Array.ofList picked)
    }

let private lowerAlpha = "abcdefghijklmnopqrstuvwxyz"
let private digits = "0123456789"
let private traceStateKeyChars = lowerAlpha + digits + "_-*/"

/// Valid W3C tracestate keys: simple keys and multi-tenant `tenant@system` keys.
let traceStateKey: Gen<string> =
    let simple =
        Gen.map2 (fun (c: char) rest -> string c + rest) (charsOf lowerAlpha) (stringOf 0 20 (charsOf traceStateKeyChars))

    let multiTenant =
        gen {
            let! tenantFirst = charsOf (lowerAlpha + digits)
            let! tenantRest = stringOf 0 10 (charsOf traceStateKeyChars)
            let! systemFirst = charsOf lowerAlpha
            let! systemRest = stringOf 0 13 (charsOf traceStateKeyChars)
            return string tenantFirst + tenantRest + "@" + string systemFirst + systemRest
        }

    Gen.frequency [ 3, simple; 1, multiTenant ]

/// Valid W3C tracestate values: printable ASCII except `,` and `=`, not ending in a space.
let traceStateValue: Gen<string> =
    let printable = [ ' ' .. '~' ] |> List.filter (fun c -> c <> ',' && c <> '=')
    let last = printable |> List.filter (fun c -> c <> ' ')
    Gen.map2 (fun body (c: char) -> body + string c) (stringOf 0 30 (Gen.elements printable)) (Gen.elements last)

/// Valid trace states of 0-32 entries with unique keys.
let traceState: Gen<TraceState> =
    gen {
        let! count = Gen.choose (0, 32)
        let! entries = Gen.listOfLength count (Gen.zip traceStateKey traceStateValue)
        return { Entries = entries |> List.distinctBy fst }
    }

/// Valid span contexts as `TraceParent.tryParse` returns them: remote, any flags byte, empty trace state.
let remoteSpanContext: Gen<SpanContext> =
    gen {
        let! traceId = validTraceId
        let! spanId = validSpanId
        let! flags = Gen.choose (0, 255)

        return
            {
                TraceId = traceId
                SpanId = spanId
                TraceFlags = TraceFlags(byte flags)
                TraceState = TraceState.empty
                IsRemote = true
            }
    }

let private tokenChars =
    lowerAlpha + lowerAlpha.ToUpperInvariant() + digits + "!#$%&'*+-.^_`|~"

let private baggageOctets =
    [ '!' .. '~' ] |> List.filter (fun c -> c <> '"' && c <> ',' && c <> ';' && c <> '\\')

/// Valid baggage keys (HTTP tokens).
let baggageKey: Gen<string> = stringOf 1 12 (charsOf tokenChars)

/// Baggage values, including characters that need percent-encoding (spaces, separators, `%`, non-ASCII, surrogate pairs).
let baggageValue: Gen<string> =
    let piece =
        Gen.frequency
            [
                6, Gen.elements baggageOctets |> Gen.map string
                3, Gen.elements [ " "; ","; ";"; "%"; "\\"; "\""; "="; "%20"; "%zz" ]
                2, Gen.elements [ "é"; "ü"; "✓"; "中"; "😀" ]
            ]

    gen {
        let! count = Gen.choose (0, 20)
        let! pieces = Gen.listOfLength count piece
        return String.concat "" pieces
    }

/// Normalised baggage metadata: 0-3 properties `key` or `key=value`, joined by `;`.
let baggageMetadata: Gen<string> =
    let property =
        Gen.oneof
            [
                baggageKey
                Gen.map2 (fun k v -> k + "=" + v) baggageKey (stringOf 0 10 (Gen.elements baggageOctets))
            ]

    gen {
        let! count = Gen.choose (0, 3)
        let! properties = Gen.listOfLength count property
        return String.concat ";" properties
    }

/// Baggage of 0-10 entries with unique token keys (well inside the 64-member and 8192-byte limits).
let baggage: Gen<Baggage> =
    gen {
        let! count = Gen.choose (0, 10)
        let! entries = Gen.listOfLength count (Gen.zip3 baggageKey baggageValue baggageMetadata)

        return
            {
                Entries =
                    entries
                    |> List.distinctBy (fun (k, _, _) -> k)
                    |> List.map (fun (k, v, m) -> k, { Value = v; Metadata = m })
            }
    }

/// Headers close to valid ones (traceparent, tracestate, baggage, b3, jaeger) with a character deleted, replaced,
/// inserted or the text cut short: the inputs most likely to reach deep into a parser.
let nearValidHeader: Gen<string> =
    let valid =
        Gen.oneof
            [
                Gen.constant "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                Gen.constant "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"
                Gen.constant "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1-00f067aa0ba902b7"
                Gen.constant "4bf92f3577b34da6:00f067aa0ba902b7:0:1"
                Gen.constant "a3ce929d0e0e4736%3A1f%3A0%3A1"
                Gen.constant "k=v;p=1;q, k2 = caf%C3%A9 ,k3=%"
                Gen.constant "a=1,vendor@sys=x y, b=2"
            ]

    let noise = charsOf "0123456789abcdefABCDEF-:;,=%@ \t\u0000é"

    gen {
        let! text = valid
        let! position = Gen.choose (0, text.Length - 1)
        let! c = noise
        let! edit = Gen.choose (0, 3)

        return
            match edit with
            | 0 -> text.Remove(position, 1)
            | 1 -> text.Remove(position, 1).Insert(position, string c)
            | 2 -> text.Insert(position, string c)
            | _ -> text.Substring(0, position)
    }

/// Any string FsCheck generates (null included) or a near-valid header.
let headerText: Gen<string> =
    Gen.oneof [ ArbMap.defaults.ArbFor<string>().Generator; nearValidHeader ]

// ---- helper C generators ----
