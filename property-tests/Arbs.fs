/// Every generator the properties use, in one place.
module Functional.Telemetry.PropertyTests.Arbs

open System
open FsCheck
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// Any 64-bit unsigned integer.
let uint64Gen: Gen<uint64> = ArbMap.defaults.ArbFor<uint64>().Generator

/// Random trace ids (valid and, rarely, all-zero).
let traceId: Gen<TraceId> = Gen.map2 (fun (a: uint64) (b: uint64) -> TraceId(a, b)) uint64Gen uint64Gen

/// Random valid (non-zero) trace ids.
let validTraceId: Gen<TraceId> = traceId |> Gen.filter (fun t -> t.IsValid)

/// Random valid (non-zero) span ids.
let validSpanId: Gen<SpanId> = uint64Gen |> Gen.filter (fun v -> v <> 0UL) |> Gen.map SpanId

// ---- helper B generators ----

/// Any string, never null (the model holds no nulls); may contain any UTF-16 unit, lone surrogates included.
let text: Gen<string> =
    ArbMap.defaults.ArbFor<string>().Generator
    |> Gen.map (fun s -> if isNull s then "" else s)

/// Attribute keys: mostly from a small pool, so that duplicate keys are common, sometimes arbitrary non-empty text.
let attributeKey: Gen<string> =
    Gen.frequency
        [
            4, Gen.elements [ "a"; "b"; "c"; "http.method"; "service.name"; "k1"; "k2"; "k3" ]
            1, text |> Gen.filter (fun s -> s.Length > 0)
        ]

/// Byte arrays of up to `size` bytes.
let bytes: Gen<byte[]> = Gen.arrayOf (ArbMap.defaults.ArbFor<byte>().Generator)

/// Any attribute value, nested arrays and maps included (at most 4 items per level; the depth shrinks with the size).
let anyValue: Gen<AnyValue> =
    let scalar =
        Gen.oneof
            [
                text |> Gen.map AnyValue.String
                ArbMap.defaults.ArbFor<bool>().Generator |> Gen.map AnyValue.Bool
                ArbMap.defaults.ArbFor<int64>().Generator |> Gen.map AnyValue.Int
                ArbMap.defaults.ArbFor<float>().Generator |> Gen.map AnyValue.Double
                bytes |> Gen.map AnyValue.Bytes
                Gen.constant AnyValue.Empty
            ]

    // Containers hold at most 4 items, each a quarter of the size, so a value stays small at any size.
    let rec sized n =
        if n <= 1 then
            scalar
        else
            let inner = Gen.resize (n / 4) (Gen.sized sized)
            let upTo4 item = Gen.choose (0, 4) |> Gen.bind (fun k -> Gen.listOfLength k item)

            Gen.frequency
                [
                    6, scalar
                    1, upTo4 inner |> Gen.map (fun items -> AnyValue.Array items)
                    1,
                    upTo4 (Gen.map2 (fun k v -> { Key = k; Value = v }) attributeKey inner)
                    |> Gen.map (fun entries -> AnyValue.Map entries)
                ]

    Gen.sized sized

/// One attribute (key from `attributeKey`).
let attribute: Gen<KeyValue> =
    Gen.map2 (fun key value -> { Key = key; Value = value }) attributeKey anyValue

/// KeyValue lists, duplicate keys likely.
let attributes: Gen<KeyValue list> = Gen.listOf attribute

/// KeyValue lists of at most `maxCount` items (for tests that want short lists).
let attributesUpTo (maxCount: int) : Gen<KeyValue list> =
    Gen.choose (0, maxCount) |> Gen.bind (fun n -> Gen.listOfLength n attribute)

/// A span context with valid ids, random flags, empty trace state and either origin.
let spanContext: Gen<SpanContext> =
    gen {
        let! traceId = validTraceId
        let! spanId = validSpanId
        let! flags = ArbMap.defaults.ArbFor<byte>().Generator
        let! remote = ArbMap.defaults.ArbFor<bool>().Generator

        return
            {
                TraceId = traceId
                SpanId = spanId
                TraceFlags = TraceFlags flags
                TraceState = TraceState.Empty
                IsRemote = remote
            }
    }

let private nonNegativeCount = Gen.frequency [ 3, Gen.constant 0; 1, Gen.choose (0, 1000) ]

/// A span event with up to 12 attributes and a possibly non-zero dropped count.
let spanEvent: Gen<SpanEvent> =
    gen {
        let! name = text
        let! timestamp = ArbMap.defaults.ArbFor<int64>().Generator
        let! attributes = attributesUpTo 12
        let! dropped = nonNegativeCount

        return
            {
                Name = name
                Timestamp = timestamp
                Attributes = attributes
                DroppedAttributes = dropped
            }
    }

/// A span link with up to 12 attributes and a possibly non-zero dropped count.
let spanLink: Gen<SpanLink> =
    gen {
        let! context = spanContext
        let! attributes = attributesUpTo 12
        let! dropped = nonNegativeCount

        return
            {
                Context = context
                Attributes = attributes
                DroppedAttributes = dropped
            }
    }

/// Span kinds.
let spanKind: Gen<SpanKind> =
    Gen.elements
        [
            SpanKind.Internal
            SpanKind.Server
            SpanKind.Client
            SpanKind.Producer
            SpanKind.Consumer
        ]

/// Span statuses.
let status: Gen<Status> =
    Gen.oneof
        [
            Gen.constant Status.Unset
            Gen.constant Status.Ok
            text |> Gen.map Status.Error
        ]

/// Instrumentation scopes.
let scope: Gen<InstrumentationScope> =
    gen {
        let! name = text
        let! version = Gen.elements [ ""; "1.0.0"; "2.3.4-beta" ]
        let! attributes = attributesUpTo 3

        return
            {
                Name = name
                Version = version
                SchemaUrl = ""
                Attributes = attributes
            }
    }

/// A finished span: root or child (local or remote parent), start <= end, attributes (duplicates likely),
/// up to 20 events and links, any status, and possibly non-zero dropped counts.
let span: Gen<Span> =
    gen {
        let! context = spanContext
        let! parent = Gen.oneof [ Gen.constant SpanId.Empty; validSpanId ]
        let! parentIsRemote = ArbMap.defaults.ArbFor<bool>().Generator
        let! name = text
        let! kind = spanKind
        let! start = Gen.choose64 (0L, 4_000_000_000_000_000_000L)
        let! duration = Gen.choose64 (0L, 10_000_000_000L)
        let! attributes = attributes
        let! eventCount = Gen.choose (0, 20)
        let! events = Gen.listOfLength eventCount spanEvent
        let! linkCount = Gen.choose (0, 20)
        let! links = Gen.listOfLength linkCount spanLink
        let! status = status
        let! droppedAttributes = nonNegativeCount
        let! droppedEvents = nonNegativeCount
        let! droppedLinks = nonNegativeCount
        let! scope = scope

        return
            {
                Context = context
                ParentSpanId = parent
                ParentIsRemote = parent.IsValid && parentIsRemote
                Name = name
                Kind = kind
                StartTime = start
                EndTime = start + duration
                Attributes = attributes
                Events = events |> List.sortBy (fun e -> e.Timestamp)
                Links = links
                Status = status
                DroppedAttributes = droppedAttributes
                DroppedEvents = droppedEvents
                DroppedLinks = droppedLinks
                Scope = scope
            }
    }

/// Span limits with small counts (0..10, so limits bite) and an optional value length limit (0..20).
let spanLimits: Gen<SpanLimits> =
    gen {
        let small = Gen.choose (0, 10)
        let! attributeCount = small
        let! lengthLimit = Gen.oneof [ Gen.constant None; Gen.choose (0, 20) |> Gen.map Some ]
        let! eventCount = small
        let! linkCount = small
        let! perEvent = small
        let! perLink = small

        return
            {
                AttributeCountLimit = attributeCount
                AttributeValueLengthLimit = lengthLimit
                EventCountLimit = eventCount
                LinkCountLimit = linkCount
                AttributePerEventCountLimit = perEvent
                AttributePerLinkCountLimit = perLink
            }
    }

/// Sampling ratios in [0, 1], the ends included often.
let ratio: Gen<float> =
    Gen.frequency
        [
            1, Gen.elements [ 0.0; 1.0; 0.5 ]
            4, Gen.choose (0, 1_000_000) |> Gen.map (fun n -> float n / 1_000_000.0)
        ]

/// Root sampling parameters for a trace id.
let rootParameters (traceId: TraceId) : SamplingParameters =
    {
        Parent = SpanContext.Invalid
        TraceId = traceId
        Name = "span"
        Kind = SpanKind.Internal
        Attributes = []
        Links = []
    }

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

/// Valid W3C tracestate keys: Level 1's simple keys and multi-tenant `tenant@system` keys, and Level 2's keys (a
/// lowercase letter or digit first, `@` anywhere after it).
let traceStateKey: Gen<string> =
    let simple =
        Gen.map2
            (fun (c: char) rest -> string c + rest)
            (charsOf lowerAlpha)
            (stringOf 0 20 (charsOf traceStateKeyChars))

    let level2 =
        Gen.map2
            (fun (c: char) rest -> string c + rest)
            (charsOf (lowerAlpha + digits))
            (stringOf 0 20 (charsOf (traceStateKeyChars + "@")))

    let multiTenant =
        gen {
            let! tenantFirst = charsOf (lowerAlpha + digits)
            let! tenantRest = stringOf 0 10 (charsOf traceStateKeyChars)
            let! systemFirst = charsOf lowerAlpha
            let! systemRest = stringOf 0 13 (charsOf traceStateKeyChars)
            return string tenantFirst + tenantRest + "@" + string systemFirst + systemRest
        }

    Gen.frequency [ 3, simple; 1, multiTenant; 2, level2 ]

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

/// Valid span contexts as `TraceParent.tryParse` returns them: remote, the flags Level 2 defines (sampled, random;
/// the reserved ones are cleared), empty trace state.
let remoteSpanContext: Gen<SpanContext> =
    gen {
        let! traceId = validTraceId
        let! spanId = validSpanId
        let! flags = Gen.choose (0, 3)

        return
            {
                TraceId = traceId
                SpanId = spanId
                TraceFlags = TraceFlags(byte flags)
                TraceState = TraceState.empty
                IsRemote = true
            }
    }

let private tokenChars = lowerAlpha + lowerAlpha.ToUpperInvariant() + digits + "!#$%&'*+-.^_`|~"

let private baggageOctets =
    [ '!' .. '~' ]
    |> List.filter (fun c -> c <> '"' && c <> ',' && c <> ';' && c <> '\\')

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

/// Headers close to valid ones (traceparent, tracestate, baggage, b3, jaeger, X-Ray) with a character deleted, replaced,
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
                Gen.constant "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
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
let headerText: Gen<string> = Gen.oneof [ ArbMap.defaults.ArbFor<string>().Generator; nearValidHeader ]

// ---- helper C generators ----

/// How the runner model's exporter answers until the next switch.
type ExporterOutcome =
    | Succeed
    | Fail
    | Throw
    | Retry

/// One step of a runner schedule.
type RunnerOp =
    /// Post this many new items (ids continue from the previous post).
    | PostItems of count: int
    /// Await ForceFlush.
    | FlushNow
    /// Change what the exporter answers from now on.
    | SwitchTo of outcome: ExporterOutcome

/// A random runner schedule: queue size, batch size (at most the queue size), schedule delay in ms, operations.
type RunnerSchedule =
    {
        QueueSize: int
        BatchSize: int
        DelayMs: int
        Ops: RunnerOp list
    }

let private runnerOp: Gen<RunnerOp> =
    Gen.frequency
        [
            6, Gen.choose (1, 12) |> Gen.map PostItems
            2, Gen.constant FlushNow
            3, Gen.elements [ Succeed; Fail; Throw; Retry ] |> Gen.map SwitchTo
        ]

/// Schedules with small queues (so they fill) and short lists of operations.
let runnerSchedule: Gen<RunnerSchedule> =
    gen {
        let! queue = Gen.choose (1, 8)
        let! batch = Gen.choose (1, queue)
        let! delay = Gen.choose (0, 5)
        let! ops = Gen.listOf runnerOp |> Gen.resize 25

        return
            {
                QueueSize = queue
                BatchSize = batch
                DelayMs = delay
                Ops = ops
            }
    }

/// For the hanging-exporter property: items to post, queue size, batch size, shutdown timeout in ms.
let hangingSchedule: Gen<int * int * int * int> =
    gen {
        let! queue = Gen.choose (1, 8)
        let! batch = Gen.choose (1, queue)
        let! items = Gen.choose (0, 20)
        let! timeout = Gen.choose (10, 100)
        return items, queue, batch, timeout
    }

// ---- metric runtime generators ----

/// One measurement for the runtime-versus-pure-fold properties.
type MetricMeasurement<'T> =
    {
        /// The value recorded.
        Value: 'T
        /// Which of the case's attribute sets it carries (an index into `MetricRuntimeCase.AttributeSets`).
        AttributeSet: int
        /// The order its tags are given in: a permutation of the set's tag indexes.
        TagOrder: int list
        /// The thread (0 .. Threads - 1) that records it.
        Thread: int
    }

/// A concurrent recording: 1-3 attribute sets from `metricAttributePool`, 2-4 threads, and the measurements
/// in the order the pure fold takes them.
type MetricRuntimeCase<'T> =
    {
        /// Attribute sets as tags (key, value); values are strings or int64s, keys distinct within a set.
        AttributeSets: (string * obj) list list
        /// How many threads record at the same time.
        Threads: int
        /// The measurements.
        Measurements: MetricMeasurement<'T> list
    }

/// A small pool of attribute sets (the empty set included); the same tag always has the same value type,
/// so sets that look alike are alike.
let metricAttributePool: (string * obj) list list =
    [
        []
        [ "method", box "GET" ]
        [ "method", box "GET"; "status", box 200L ]
        [ "status", box 200L; "method", box "POST" ]
        [ "route", box "/a"; "method", box "GET"; "status", box 500L ]
        [ "zone", box "eu"; "az", box "1" ]
    ]

let private permutation (count: int) : Gen<int list> = Gen.shuffle [| 0 .. count - 1 |] |> Gen.map List.ofArray

/// Cases of a few hundred measurements with values from `value`, spread over 2-4 threads.
let metricRuntimeCase (value: Gen<'T>) : Gen<MetricRuntimeCase<'T>> =
    gen {
        let! setCount = Gen.choose (1, 3)
        let! sets = Gen.shuffle (Array.ofList metricAttributePool)
        let sets = sets |> Array.truncate setCount |> List.ofArray
        let! threads = Gen.choose (2, 4)
        let! count = Gen.choose (0, 400)

        let measurement =
            gen {
                let! v = value
                let! set = Gen.choose (0, setCount - 1)
                let! order = permutation (List.length sets[set])
                let! thread = Gen.choose (0, threads - 1)

                return
                    {
                        Value = v
                        AttributeSet = set
                        TagOrder = order
                        Thread = thread
                    }
            }

        let! measurements = Gen.listOfLength count measurement

        return
            {
                AttributeSets = sets
                Threads = threads
                Measurements = measurements
            }
    }

/// Counter<long> increments: 0 .. 1000.
let counterLongValue: Gen<int64> = Gen.choose (0, 1000) |> Gen.map int64

/// Counter<double> increments that add exactly in any order: multiples of 0.25 in [0, 1000].
let counterDoubleValue: Gen<float> = Gen.choose (0, 4000) |> Gen.map (fun n -> float n / 4.0)

/// UpDownCounter<long> changes: -1000 .. 1000.
let upDownLongValue: Gen<int64> = Gen.choose (-1000, 1000) |> Gen.map int64

/// Explicit-bucket histogram bounds for a view: 0-8 ascending, distinct multiples of 0.5 in [-100, 1000].
let viewHistogramBounds: Gen<float list> =
    gen {
        let! count = Gen.choose (0, 8)
        let! halves = Gen.listOfLength count (Gen.choose (-200, 2000))
        return halves |> List.distinct |> List.sort |> List.map (fun h -> float h / 2.0)
    }

/// Histogram values whose sums are exact in any order (multiples of 0.25, |v| < 2^14), often exactly on a bound.
let histogramValue (bounds: float list) : Gen<float> =
    let onBound =
        if List.isEmpty bounds then
            []
        else
            [ 1, Gen.elements bounds ]

    Gen.frequency (
        [
            4, Gen.choose (-400, 48_000) |> Gen.map (fun n -> float n / 4.0)
            1, Gen.elements [ 0.0; -0.25; 0.25 ]
        ]
        @ onBound
    )

/// Exponential histogram values: either sign, 0, magnitudes from 1e-3 to 1e8 (several orders of magnitude),
/// exact powers of two included (they sit on bucket bounds).
let exponentialValue: Gen<float> =
    let magnitude =
        Gen.frequency
            [
                4,
                Gen.map2
                    (fun (m: int) (e: int) -> float m / 100.0 * System.Math.Pow(10.0, float e))
                    (Gen.choose (1, 999))
                    (Gen.choose (-3, 6))
                1, Gen.choose (-10, 26) |> Gen.map (fun e -> System.Math.ScaleB(1.0, e))
            ]

    Gen.frequency [ 1, Gen.constant 0.0; 4, magnitude; 2, magnitude |> Gen.map (fun m -> -m) ]

/// Exponential histogram values that add exactly in any order: 0 or ±m·2^e with m in 1..999, e in -3..16.
let exactExponentialValue: Gen<float> =
    Gen.frequency
        [
            1, Gen.constant 0.0
            6,
            Gen.map3
                (fun (sign: bool) (m: int) (e: int) -> (if sign then 1.0 else -1.0) * System.Math.ScaleB(float m, e))
                (Gen.elements [ true; false ])
                (Gen.choose (1, 999))
                (Gen.choose (-3, 16))
        ]

/// Exponential histogram max sizes: small ones rescale often, 160 is the default.
let exponentialMaxSize: Gen<int> = Gen.frequency [ 3, Gen.choose (4, 20); 1, Gen.elements [ 40; 160 ] ]

/// One measurement of the delta-versus-cumulative property.
type RoundMeasurement =
    | CounterAdd of value: int64 * attributeSet: int
    | UpDownAdd of value: int64 * attributeSet: int
    | HistogramRecord of value: float * attributeSet: int
    | ExponentialRecord of value: float * attributeSet: int

/// Collection rounds (0-8), each of 0-60 measurements over all of `metricAttributePool`; empty rounds included.
let collectionRounds: Gen<RoundMeasurement list list> =
    let set = Gen.choose (0, List.length metricAttributePool - 1)

    let measurement =
        Gen.oneof
            [
                Gen.map2 (fun v s -> CounterAdd(v, s)) counterLongValue set
                Gen.map2 (fun v s -> UpDownAdd(v, s)) upDownLongValue set
                Gen.map2 (fun v s -> HistogramRecord(v, s)) (histogramValue HistogramState.defaultBounds) set
                Gen.map2 (fun v s -> ExponentialRecord(v, s)) exactExponentialValue set
            ]

    let round =
        Gen.frequency
            [
                1, Gen.constant []
                4, Gen.choose (1, 60) |> Gen.bind (fun n -> Gen.listOfLength n measurement)
            ]

    Gen.choose (0, 8) |> Gen.bind (fun n -> Gen.listOfLength n round)
// ---- helper E generators ----

/// Any 64-bit integer (sums of these wrap around, which keeps them associative).
let anyLong: Gen<int64> = ArbMap.defaults.ArbFor<int64>().Generator

/// Multiples of 0.25 within ±1e6: sums of a few hundred of them are exact, so float sums can be compared with `=`.
let exactDouble: Gen<float> =
    Gen.choose (-4_000_000, 4_000_000)
    |> Gen.map (fun quarters -> float quarters / 4.0)

/// LastValue measurements: a value and a time from small ranges, so that equal times and equal values
/// (a Long and a Double of the same magnitude included) are common.
let lastValueMeasurement: Gen<NumberValue * int64> =
    gen {
        let! time = Gen.choose (0, 5)

        let! value =
            Gen.oneof
                [
                    Gen.choose (-3, 3) |> Gen.map (int64 >> NumberValue.Long)
                    Gen.choose (-3, 3) |> Gen.map (float >> NumberValue.Double)
                    exactDouble |> Gen.map NumberValue.Double
                ]

        return value, int64 time
    }

/// Explicit histogram bounds: ascending, distinct, finite; possibly none.
let histogramBounds: Gen<float list> =
    Gen.listOf exactDouble |> Gen.resize 10 |> Gen.map (List.distinct >> List.sort)

/// Values of any sign over a chosen range of binary exponents: zeros, exact powers of two and arbitrary significands.
let wideDoubleIn (lowExponent: int) (highExponent: int) : Gen<float> =
    let magnitude =
        gen {
            let! exponent = Gen.choose (lowExponent, highExponent)
            let! fraction = Gen.frequency [ 1, Gen.constant 0; 4, Gen.choose (0, (1 <<< 30) - 1) ]
            return System.Math.ScaleB(1.0 + float fraction / float (1 <<< 30), exponent)
        }

    Gen.frequency [ 1, Gen.constant 0.0; 6, magnitude; 3, magnitude |> Gen.map (fun v -> -v) ]

/// Values for exponential histograms: mostly within 2^±60, sometimes anywhere in the normal range.
let wideDouble: Gen<float> = Gen.frequency [ 4, wideDoubleIn -60 60; 1, wideDoubleIn -1000 1000 ]

/// Exponential histogram settings (max size, max scale): small sizes so that downscaling is frequent.
let exponentialConfig: Gen<int * int> =
    Gen.zip (Gen.choose (2, 20)) (Gen.frequency [ 3, Gen.constant 20; 2, Gen.choose (-10, 20) ])

/// Items and sorted cut points (0 to 4 of them, each within the list) that split the items into chunks.
let withCuts (item: Gen<'T>) : Gen<'T list * int list> =
    gen {
        let! items = Gen.listOf item
        let! cutCount = Gen.choose (0, 4)
        let! cuts = Gen.listOfLength cutCount (Gen.choose (0, items.Length))
        return items, List.sort cuts
    }

/// Collections of measurements per series: each collection lists (series 0..3, value) pairs.
let seriesCollections (value: Gen<'T>) : Gen<(int * 'T) list list> =
    Gen.listOf (Gen.listOf (Gen.zip (Gen.choose (0, 3)) value) |> Gen.resize 8)
    |> Gen.resize 6

/// Values that still add exactly but spread over a wide range (powers of two from 2^-8 to 2^8 among them),
/// so that an exponential histogram's scale drops between collections.
let exactSpreadDouble: Gen<float> =
    Gen.frequency
        [
            3, exactDouble
            1, Gen.choose (-8, 8) |> Gen.map (fun k -> System.Math.ScaleB(1.0, k))
        ]

/// Small integers of either sign (delta sums).
let smallLong: Gen<int64> = Gen.choose (-1000, 1000) |> Gen.map int64

/// Small non-negative integers (counter increments).
let increment: Gen<int64> = Gen.choose (0, 1000) |> Gen.map int64

// ---- OTLP encoder generators (helper K) ----

/// Strings that are hard to encode: arbitrary ones (lone surrogates included), empty, non-ASCII, surrogate pairs,
/// lone high and low surrogates, JSON-special characters.
let awkwardText: Gen<string> =
    Gen.frequency
        [
            3, text
            2,
            Gen.elements
                [
                    ""
                    "é"
                    "中文"
                    "😀"
                    "\uD800"
                    "a\uDC00b"
                    "x\uD83D"
                    "\uDE00\uD83D"
                    "\"quoted\" \\ / \n\t\u0000"
                    "</script>"
                ]
            1, Gen.listOfLength 3 text |> Gen.map (String.concat "\uD800")
        ]

/// Attribute values as `anyValue`, with awkward strings and keys mixed in.
let awkwardAttributes: Gen<KeyValue list> =
    let awkward =
        Gen.map2 (fun key value -> { Key = key; Value = value }) awkwardText (awkwardText |> Gen.map AnyValue.String)

    Gen.choose (0, 6)
    |> Gen.bind (fun n -> Gen.listOfLength n (Gen.frequency [ 3, attribute; 1, awkward ]))

/// Scopes of a small pool (so that batches hold several spans per scope), with schema URLs and awkward names.
let encoderScope: Gen<InstrumentationScope> =
    Gen.frequency
        [
            3,
            Gen.elements
                [
                    InstrumentationScope.Named "a"
                    { InstrumentationScope.Named "b" with
                        Version = "1.2.3"
                        SchemaUrl = "https://opentelemetry.io/schemas/1.26.0"
                    }
                    { InstrumentationScope.Named "c" with
                        Attributes = [ KeyValue.string "k" "v"; KeyValue.int "n" 5L ]
                    }
                ]
            1,
            gen {
                let! s = scope
                let! url = Gen.elements [ ""; "https://example.com/schema" ]
                let! name = awkwardText
                return { s with Name = name; SchemaUrl = url }
            }
        ]

/// Resources with awkward attributes and an optional schema URL.
let encoderResource: Gen<Resource> =
    Gen.map2
        (fun attributes url -> { Attributes = attributes; SchemaUrl = url })
        awkwardAttributes
        (Gen.elements [ ""; "https://opentelemetry.io/schemas/1.26.0" ])

let private anyInt64 = ArbMap.defaults.ArbFor<int64>().Generator
let private anyFloat = ArbMap.defaults.ArbFor<float>().Generator

/// Doubles with the special values (NaN, infinities, -0.0, extremes) common.
let encoderDouble: Gen<float> =
    Gen.frequency
        [
            3, anyFloat
            1,
            Gen.elements
                [
                    nan
                    infinity
                    -infinity
                    -0.0
                    0.0
                    System.Double.Epsilon
                    System.Double.MaxValue
                    0.1
                    1e300
                ]
        ]

/// Spans of `span` with trace states, awkward names and attributes, and scopes from `encoderScope`.
let encoderSpan: Gen<Span> =
    gen {
        let! s = span |> Gen.resize 12
        let! state = Gen.frequency [ 2, Gen.constant TraceState.Empty; 1, traceState ]
        let! name = awkwardText
        let! extra = awkwardAttributes
        let! scope = encoderScope
        let! errorText = awkwardText
        let! withError = Gen.elements [ false; false; true ]

        let! linkStates =
            Gen.listOfLength
                (ReadOnlyList.toList s.Links).Length
                (Gen.frequency [ 2, Gen.constant TraceState.Empty; 1, traceState ])

        return
            { s with
                Context = { s.Context with TraceState = state }
                Links =
                    List.map2
                        (fun (l: SpanLink) st -> { l with Context = { l.Context with TraceState = st } })
                        (ReadOnlyList.toList s.Links)
                        linkStates
                Name = name
                Attributes = (ReadOnlyList.toList s.Attributes) @ extra
                Scope = scope
                Status = if withError then Status.Error errorText else s.Status
            }
    }

let private numberValue =
    Gen.oneof
        [
            anyInt64 |> Gen.map NumberValue.Long
            encoderDouble |> Gen.map NumberValue.Double
        ]

let private smallCount = Gen.choose (0, 5)

/// Exemplars, with or without a trace.
let exemplar: Gen<Exemplar> =
    gen {
        let! attributes = attributesUpTo 3
        let! time = anyInt64
        let! value = numberValue
        let! traced = ArbMap.defaults.ArbFor<bool>().Generator
        let! traceId = validTraceId
        let! spanId = validSpanId

        return
            {
                FilteredAttributes = attributes
                Time = time
                Value = value
                TraceId = if traced then traceId else TraceId.Empty
                SpanId = if traced then spanId else SpanId.Empty
            }
    }

let private exemplars = smallCount |> Gen.bind (fun n -> Gen.listOfLength n exemplar)

/// Sum and gauge points.
let numberPoint: Gen<NumberPoint> =
    gen {
        let! attributes = attributesUpTo 4
        let! start = anyInt64
        let! time = anyInt64
        let! value = numberValue
        let! exemplars = exemplars

        return
            {
                Attributes = attributes
                StartTime = start
                Time = time
                Value = value
                Exemplars = exemplars
            }
    }

let private counts n =
    Gen.listOfLength n (Gen.frequency [ 2, Gen.constant 0L; 3, anyInt64 |> Gen.map abs ])

let private optionalDouble = Gen.oneof [ Gen.constant None; encoderDouble |> Gen.map Some ]

/// Explicit-bucket histogram points (bounds and counts of any lengths: the encoder does not check them).
let histogramPoint: Gen<HistogramPoint> =
    gen {
        let! attributes = attributesUpTo 4
        let! start = anyInt64
        let! time = anyInt64
        let! count = anyInt64
        let! sum = encoderDouble
        let! min = optionalDouble
        let! max = optionalDouble
        let! boundCount = Gen.choose (0, 12)
        let! bounds = Gen.listOfLength boundCount encoderDouble
        let! bucketCounts = counts (if boundCount = 0 then 0 else boundCount + 1)
        let! exemplars = exemplars

        return
            {
                Attributes = attributes
                StartTime = start
                Time = time
                Count = count
                Sum = sum
                Min = Option.toNullable min
                Max = Option.toNullable max
                Bounds = bounds
                BucketCounts = bucketCounts
                Exemplars = exemplars
            }
    }

let private exponentialBuckets: Gen<ExponentialBuckets> =
    Gen.map2
        (fun offset counts -> { Offset = offset; Counts = counts })
        (Gen.frequency [ 1, Gen.constant 0; 3, ArbMap.defaults.ArbFor<int>().Generator ])
        (Gen.choose (0, 10) |> Gen.bind counts)

/// Exponential histogram points: any scale (-10..20), offsets of either sign, zero thresholds.
let exponentialPoint: Gen<ExponentialHistogramPoint> =
    gen {
        let! attributes = attributesUpTo 4
        let! start = anyInt64
        let! time = anyInt64
        let! count = anyInt64
        let! sum = encoderDouble
        let! min = optionalDouble
        let! max = optionalDouble
        let! scale = Gen.choose (-10, 20)
        let! zeroCount = anyInt64
        let! zeroThreshold = Gen.frequency [ 2, Gen.constant 0.0; 1, encoderDouble ]
        let! positive = exponentialBuckets
        let! negative = exponentialBuckets
        let! exemplars = exemplars

        return
            {
                Attributes = attributes
                StartTime = start
                Time = time
                Count = count
                Sum = sum
                Min = Option.toNullable min
                Max = Option.toNullable max
                Scale = scale
                ZeroCount = zeroCount
                ZeroThreshold = zeroThreshold
                Positive = positive
                Negative = negative
                Exemplars = exemplars
            }
    }

let private temporality = Gen.elements [ Temporality.Delta; Temporality.Cumulative ]

/// Metrics of every point kind (0-4 points each), awkward names, scopes from `encoderScope`.
let metricData: Gen<MetricData> =
    let points p = smallCount |> Gen.bind (fun n -> Gen.listOfLength n p)

    gen {
        let! name = awkwardText
        let! description = awkwardText
        let! unit = Gen.elements [ ""; "ms"; "By"; "{request}" ]
        let! scope = encoderScope

        let! data =
            Gen.oneof
                [
                    Gen.map3
                        (fun t m ps -> MetricPoints.Sum(t, m, Items ps))
                        temporality
                        (ArbMap.defaults.ArbFor<bool>().Generator)
                        (points numberPoint)
                    points numberPoint |> Gen.map (fun ps -> MetricPoints.Gauge ps)
                    Gen.map2 (fun t ps -> MetricPoints.Histogram(t, Items ps)) temporality (points histogramPoint)
                    Gen.map2
                        (fun t ps -> MetricPoints.ExponentialHistogram(t, Items ps))
                        temporality
                        (points exponentialPoint)
                ]

        return
            {
                Name = name
                Description = description
                Unit = unit
                Scope = scope
                Points = data
            }
    }

/// Log records: any body (nested arrays and maps, bytes, empty), awkward text, in or outside a span.
let logRecord: Gen<LogRecord> =
    gen {
        let! time = anyInt64
        let! observed = anyInt64
        let! severity = Gen.choose (0, 24)
        let! severityText = Gen.frequency [ 3, Gen.elements [ ""; "Information"; "Error" ]; 1, awkwardText ]
        let! body = Gen.frequency [ 3, anyValue |> Gen.resize 30; 1, awkwardText |> Gen.map AnyValue.String ]
        let! attributes = awkwardAttributes
        let! dropped = Gen.frequency [ 3, Gen.constant 0; 1, Gen.choose (0, 1000) ]
        let! inSpan = ArbMap.defaults.ArbFor<bool>().Generator
        let! traceId = validTraceId
        let! spanId = validSpanId
        let! flags = ArbMap.defaults.ArbFor<byte>().Generator
        let! eventName = Gen.frequency [ 2, Gen.constant ""; 1, awkwardText ]
        let! scope = encoderScope

        return
            {
                Timestamp = time
                ObservedTimestamp = observed
                SeverityNumber = severity
                SeverityText = severityText
                Body = body
                Attributes = attributes
                DroppedAttributes = dropped
                TraceId = if inSpan then traceId else TraceId.Empty
                SpanId = if inSpan then spanId else SpanId.Empty
                TraceFlags = if inSpan then TraceFlags flags else TraceFlags.None
                EventName = eventName
                Scope = scope
            }
    }

/// A batch for an encoder: a resource and 0-8 items.
let encoderBatch (item: Gen<'T>) : Gen<Resource * 'T array> =
    Gen.map2
        (fun r items -> r, items)
        encoderResource
        (Gen.choose (0, 8) |> Gen.bind (fun n -> Gen.arrayOfLength n item))

// ---- Prometheus rendering ----

/// Metric names a Prometheus renderer finds awkward: dots, dashes, colons, leading digits, unicode, existing
/// suffixes, names that sanitise to the same text, and arbitrary text (empty included).
let prometheusName: Gen<string> =
    Gen.frequency
        [
            6,
            Gen.elements
                [
                    "http.server.duration"
                    "http_server_duration"
                    "1st.metric"
                    "a-b--c"
                    "a:b"
                    "ünïcödé.näme"
                    "__x__"
                    "x"
                    "requests_total"
                    "latency_seconds"
                    "queue.size"
                    "target"
                    "target_info"
                    "jobs"
                    "jobs_total"
                    "jobs_count"
                    "日本"
                    "fooBar"
                    "_"
                ]
            1, text
        ]

/// Units: UCUM codes, annotations, rates, `1`, empty and junk.
let prometheusUnit: Gen<string> =
    Gen.frequency
        [
            6,
            Gen.elements
                [
                    ""
                    "s"
                    "ms"
                    "By"
                    "KiBy"
                    "By/s"
                    "1"
                    "%"
                    "{requests}"
                    "{a}/{b}"
                    "m/s"
                    "1/s"
                    "junk unit!"
                    "Hz"
                    "{"
                ]
            1, text
        ]

/// Label values with everything that needs escaping (quotes, backslashes, newlines), unicode and lone surrogates.
let prometheusLabelValue: Gen<string> =
    Gen.frequency
        [
            3,
            Gen.elements
                [
                    ""
                    "GET"
                    "a\"b"
                    "back\\slash"
                    "new\nline"
                    "\\n"
                    "é日本"
                    "\ud83d\ude00"
                    "\ud800"
                    "x;y"
                    "} 1"
                ]
            2, text
        ]

/// Attribute keys that collide after sanitising (`a.b`, `a_b`, `a-b`), keys with reserved meaning (`le`,
/// `otel.scope.name`, `trace_id`), leading digits and arbitrary text.
let prometheusAttributeKey: Gen<string> =
    Gen.frequency
        [
            6,
            Gen.elements
                [
                    "a"
                    "a.b"
                    "a_b"
                    "a-b"
                    "1x"
                    "le"
                    "otel.scope.name"
                    "trace_id"
                    "ünï"
                    "method"
                    "fooBar"
                ]
            1, text |> Gen.filter (fun s -> s.Length > 0)
        ]

/// Attribute values for Prometheus properties: mostly strings, sometimes other kinds.
let prometheusAttributeValue: Gen<AnyValue> =
    Gen.frequency
        [
            6, prometheusLabelValue |> Gen.map AnyValue.String
            1, ArbMap.defaults.ArbFor<int64>().Generator |> Gen.map AnyValue.Int
            1, ArbMap.defaults.ArbFor<bool>().Generator |> Gen.map AnyValue.Bool
            1, Gen.elements [ 1.5; -0.25; 1e300; nan ] |> Gen.map AnyValue.Double
            1, Gen.constant (AnyValue.Array [ AnyValue.String "x\"y"; AnyValue.Int 1L ])
        ]

/// Up to 4 attributes with awkward keys and values.
let prometheusAttributes: Gen<KeyValue list> =
    Gen.choose (0, 4)
    |> Gen.bind (fun n ->
        Gen.listOfLength
            n
            (Gen.map2 (fun k v -> { Key = k; Value = v }) prometheusAttributeKey prometheusAttributeValue))

/// Scopes: a plain one, one with version, schema URL and attributes that need escaping, one with an empty name.
let prometheusScope: Gen<InstrumentationScope> =
    Gen.elements
        [
            InstrumentationScope.Named "lib"
            {
                Name = "ünï lib"
                Version = "1.0\n\"x\""
                SchemaUrl = "https://example.com/schema"
                Attributes = [ KeyValue.string "team.name" "core\\x"; KeyValue.int "shard" 3L ]
            }
            InstrumentationScope.Named ""
        ]

let private finiteDouble = ArbMap.defaults.ArbFor<NormalFloat>().Generator |> Gen.map (fun f -> f.Get)

/// Exemplars with valid ids, a positive time and awkward filtered attributes (sometimes long).
let prometheusExemplar (value: Gen<NumberValue>) : Gen<Exemplar> =
    gen {
        let! traceId = validTraceId
        let! spanId = validSpanId
        let! time = Gen.choose (1, 2_000_000_000) |> Gen.map (fun s -> int64 s * 1_000_000_007L)
        let! value = value
        // prometheus_client 0.16's parser takes the first `}` after an exemplar's `{` as the end of its labels, so
        // a `}` inside an exemplar label value (valid OpenMetrics) fails there: exemplar values here have none.
        let! filtered =
            prometheusAttributes
            |> Gen.map (
                List.map (fun a ->
                    match a.Value with
                    | AnyValue.String s -> { a with Value = AnyValue.String(s.Replace('}', ')')) }
                    | _ -> a)
            )

        let! filtered =
            Gen.frequency
                [
                    4, Gen.constant filtered
                    1, Gen.constant [ KeyValue.string "long" (String.replicate 100 "é") ]
                ]

        return
            {
                FilteredAttributes = filtered
                Time = time
                Value = value
                TraceId = traceId
                SpanId = spanId
            }
    }

/// One metric of any kind Prometheus shows (cumulative sums, gauges, explicit histograms) or leaves out (deltas,
/// exponential histograms). `series` makes each point's attribute set unique: `series=<n>` is added to every
/// point, so the label sets of one family never repeat.
let prometheusMetric (series: unit -> int64) : Gen<MetricData> =
    let withSeries attributes = KeyValue.int "series" (series ()) :: attributes

    let numberPoint (value: Gen<NumberValue>) (exemplars: bool) =
        gen {
            let! attributes = prometheusAttributes
            let! value = value

            let! exemplars =
                if exemplars then
                    Gen.choose (0, 2)
                    |> Gen.bind (fun n -> Gen.listOfLength n (prometheusExemplar (Gen.constant value)))
                else
                    Gen.constant []

            return
                {
                    Attributes = withSeries attributes
                    StartTime = 1_000_000_000L
                    Time = 2_000_000_000L
                    Value = value
                    Exemplars = exemplars
                }
        }

    let anyNumber =
        Gen.oneof
            [
                ArbMap.defaults.ArbFor<int64>().Generator |> Gen.map NumberValue.Long
                Gen.frequency [ 8, finiteDouble; 1, Gen.elements [ nan; infinity; -infinity ] ]
                |> Gen.map NumberValue.Double
            ]

    let counterNumber =
        Gen.oneof
            [
                Gen.choose (0, System.Int32.MaxValue) |> Gen.map (int64 >> NumberValue.Long)
                finiteDouble |> Gen.map (abs >> NumberValue.Double)
            ]

    let histogramPoint =
        gen {
            let! attributes = prometheusAttributes

            let! bounds =
                Gen.listOf finiteDouble
                |> Gen.map (List.distinct >> List.sort >> List.truncate 12)

            let! bounds =
                Gen.frequency
                    [
                        3, Gen.constant (bounds |> List.map abs |> List.distinct |> List.sort)
                        1, Gen.constant bounds
                    ]

            let! counts = Gen.listOfLength (bounds.Length + 1) (Gen.choose (0, 1000) |> Gen.map int64)
            let! sum = Gen.frequency [ 4, finiteDouble |> Gen.map abs; 1, finiteDouble ]

            let! exemplars =
                Gen.choose (0, 3)
                |> Gen.bind (fun n ->
                    Gen.listOfLength n (prometheusExemplar (finiteDouble |> Gen.map NumberValue.Double)))

            return
                {
                    Attributes = withSeries attributes
                    StartTime = 1_000_000_000L
                    Time = 2_000_000_000L
                    Count = List.sum counts
                    Sum = sum
                    Min = Nullable()
                    Max = Nullable()
                    Bounds = bounds
                    BucketCounts = counts
                    Exemplars = exemplars
                }
        }

    let upTo3 item = Gen.choose (0, 3) |> Gen.bind (fun n -> Gen.listOfLength n item)

    let points =
        Gen.frequency
            [
                3,
                upTo3 (numberPoint counterNumber true)
                |> Gen.map (fun ps -> MetricPoints.Sum(Temporality.Cumulative, true, Items ps))
                2,
                upTo3 (numberPoint anyNumber true)
                |> Gen.map (fun ps -> MetricPoints.Sum(Temporality.Cumulative, false, Items ps))
                2, upTo3 (numberPoint anyNumber true) |> Gen.map (fun ps -> MetricPoints.Gauge ps)
                3,
                upTo3 histogramPoint
                |> Gen.map (fun ps -> MetricPoints.Histogram(Temporality.Cumulative, Items ps))
                1,
                upTo3 (numberPoint counterNumber false)
                |> Gen.map (fun ps -> MetricPoints.Sum(Temporality.Delta, true, Items ps))
                1,
                upTo3 histogramPoint
                |> Gen.map (fun ps -> MetricPoints.Histogram(Temporality.Delta, Items ps))
                1, Gen.constant (MetricPoints.ExponentialHistogram(Temporality.Cumulative, Items []))
            ]

    gen {
        let! name = prometheusName
        let! unit = prometheusUnit
        let! description = Gen.frequency [ 2, Gen.constant ""; 2, Gen.constant "Some help."; 1, prometheusLabelValue ]
        let! scope = prometheusScope
        let! points = points

        return
            {
                Name = name
                Description = description
                Unit = unit
                Scope = scope
                Points = points
            }
    }

/// Renderer options: every switch, and a namespace (none, one with a space, one starting with a digit).
let prometheusOptions: Gen<PrometheusOptions> =
    gen {
        let! unitSuffixes = Gen.frequency [ 3, Gen.constant true; 1, Gen.constant false ]
        let! totalSuffix = Gen.frequency [ 3, Gen.constant true; 1, Gen.constant false ]
        let! targetInfo = Gen.frequency [ 3, Gen.constant true; 1, Gen.constant false ]
        let! scopeLabels = Gen.frequency [ 3, Gen.constant true; 1, Gen.constant false ]
        let! ns = Gen.frequency [ 3, Gen.constant ""; 1, Gen.elements [ "my app"; "1ns" ] ]

        return
            {
                UnitSuffixes = unitSuffixes
                TotalSuffix = totalSuffix
                TargetInfo = targetInfo
                ScopeLabels = scopeLabels
                Namespace = ns
            }
    }

/// One scrape's input: options, a resource (maybe empty) and up to 8 metrics. Every point's attribute set is
/// unique within the case (see `prometheusMetric`).
let prometheusCase: Gen<PrometheusOptions * Resource * MetricData list> =
    gen {
        let next = ref 0L

        let series () =
            next.Value <- next.Value + 1L
            next.Value

        let! options = prometheusOptions
        let! resourceAttributes = prometheusAttributes

        let! metrics =
            Gen.choose (0, 8)
            |> Gen.bind (fun n -> Gen.listOfLength n (prometheusMetric series))

        return options, { Attributes = resourceAttributes; SchemaUrl = "" }, metrics
    }

// ---- the unit tests' fuzzers (tests/Functional.Telemetry.Tests compiles this file too) ----

/// A scale of the exponential histogram from `lowestScale` to 20, and four values where an index computed from a
/// logarithm goes wrong: one bucket's lower bound (an index whose bound is a normal number: exponents within
/// +-1000), the doubles just below and just above it, and any normal double (mantissa 1 to 2, exponent -1000 to
/// 999).
let valuesAroundBucketBound (lowestScale: int) : Gen<int * float list> =
    gen {
        let! scale = Gen.choose (lowestScale, 20)
        let reach = if scale >= 0 then 1000 <<< scale else 1000 >>> -scale
        let! index = Gen.choose (-reach, reach - 1)
        let! fraction = Gen.choose64 (0L, (1L <<< 52) - 1L)
        let! exponent = Gen.choose (-1000, 999)
        let bound = ExponentialHistogramState.lowerBound scale index

        return
            scale,
            [
                bound
                Math.BitDecrement bound
                Math.BitIncrement bound
                Math.ScaleB(1.0 + float fraction / float (1L <<< 52), exponent)
            ]
    }

/// Arbitrary bytes, 0 to `maxLength` of them, every byte value equally likely.
let bytesUpTo (maxLength: int) : Gen<byte array> =
    Gen.choose (0, maxLength)
    |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.choose (0, 255) |> Gen.map byte))

/// Text of 0 to `maxLength` characters, each drawn from `alphabet`.
let textFrom (alphabet: string) (maxLength: int) : Gen<string> =
    Gen.choose (0, maxLength)
    |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.elements alphabet))
    |> Gen.map String

/// Environment variables: each of `names` present or not (even odds), with a value from `value`.
let environment (names: string list) (value: Gen<string>) : Gen<(string * string) list> =
    names
    |> List.map (fun name ->
        Gen.zip (Gen.elements [ true; false ]) value
        |> Gen.map (fun (present, v) -> if present then Some(name, v) else None))
    |> Gen.sequenceToList
    |> Gen.map (List.choose id)

/// A text size in one of five classes, whose protobuf length prefixes take one, two or three bytes (where two
/// could be guessed): 0-39, 100-159, 0-1999, 16300-16499 and 0-39999 (`sizeClass` modulo 5).
let sizeOfClass (sizeClass: int) : Gen<int> =
    match sizeClass % 5 with
    | 0 -> Gen.choose (0, 39)
    | 1 -> Gen.choose (100, 159)
    | 2 -> Gen.choose (0, 1999)
    | 3 -> Gen.choose (16_300, 16_499)
    | _ -> Gen.choose (0, 39_999)

/// For each of `counts`, that many sizes, the i-th of class i (`sizeOfClass i`).
let sizeClassBatches (counts: int list) : Gen<int array list> =
    counts
    |> List.map (fun count -> List.init count sizeOfClass |> Gen.sequenceToArray)
    |> Gen.sequenceToList

// ---- bound instrument generators ----

/// The instruments of a bound-versus-unbound scenario.
type BoundInstrumentKind =
    /// `Counter<long>`.
    | BoundCounterLong
    /// `UpDownCounter<long>`.
    | BoundUpDownLong
    /// `Histogram<double>` with the default explicit buckets.
    | BoundExplicitHistogram
    /// `Histogram<double>` aggregated as a Base2 exponential histogram by a view.
    | BoundExponentialHistogram

/// One step of a scenario, done the same way on an unbound instrument and on a bound one.
type BoundStep =
    /// A measurement of `value` on an instrument with one of the scenario's attribute sets (the bound side binds
    /// a handle for the pair on first use).
    | BoundMeasure of instrument: BoundInstrumentKind * set: int * value: float
    /// The bound side disposes the pair's handle (if any); its next measurement binds a new one.
    | BoundUnbind of instrument: BoundInstrumentKind * set: int
    /// Every reader collects.
    | BoundCollect

/// Attribute sets from `metricAttributePool` and steps over them.
type BoundScenario =
    {
        /// Attribute sets as tags (key, value).
        AttributeSets: (string * obj) list list
        /// The steps, in order.
        Steps: BoundStep list
    }

/// Scenarios of up to 80 steps on 1-3 attribute sets: measurements valid for their instrument (sums exact in the
/// one order both sides take), unbinding now and then, collections interleaved.
let boundScenario: Gen<BoundScenario> =
    gen {
        let! setCount = Gen.choose (1, 3)
        let! sets = Gen.shuffle (Array.ofList metricAttributePool)
        let sets = sets |> Array.truncate setCount |> List.ofArray

        let measure =
            gen {
                let! instrument =
                    Gen.elements
                        [
                            BoundCounterLong
                            BoundUpDownLong
                            BoundExplicitHistogram
                            BoundExponentialHistogram
                        ]

                let! set = Gen.choose (0, setCount - 1)

                let! value =
                    match instrument with
                    | BoundCounterLong -> counterLongValue |> Gen.map float
                    | BoundUpDownLong -> upDownLongValue |> Gen.map float
                    | BoundExplicitHistogram -> histogramValue HistogramState.defaultBounds
                    | BoundExponentialHistogram -> exponentialValue

                return BoundMeasure(instrument, set, value)
            }

        let unbind =
            Gen.map2
                (fun instrument set -> BoundUnbind(instrument, set))
                (Gen.elements
                    [
                        BoundCounterLong
                        BoundUpDownLong
                        BoundExplicitHistogram
                        BoundExponentialHistogram
                    ])
                (Gen.choose (0, setCount - 1))

        let step = Gen.frequency [ 10, measure; 1, unbind; 2, Gen.constant BoundCollect ]

        let! count = Gen.choose (0, 80)
        let! steps = Gen.listOfLength count step
        return { AttributeSets = sets; Steps = steps }
    }
