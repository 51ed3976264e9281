namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Building resources: the SDK defaults, `OTEL_RESOURCE_ATTRIBUTES` / `OTEL_SERVICE_NAME`, and the spec's merge rules.
/// Everything here is pure; the process/host/OS detector that reads the machine lives in Runtime (`ResourceDetectors`).
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Resource =
    /// No attributes, no schema URL.
    [<CompiledName("Empty")>]
    val empty: Resource

    /// A resource of these attributes (duplicate keys: the last wins) and no schema URL.
    [<CompiledName("Create")>]
    val create: attributes: KeyValue list -> Resource

    /// Merges per the spec: `updating`'s attributes win on equal keys; the schema URL is the non-empty one,
    /// or either when equal. Error when both schema URLs are non-empty and differ.
    [<CompiledName("TryMerge")>]
    val tryMerge: old: Resource -> updating: Resource -> Result<Resource, string>

    /// Like tryMerge, but on a schema URL conflict (the spec leaves the result to the implementation) keeps the
    /// merged attributes and an empty schema URL, as OpenTelemetry Java does: attributes of two schema versions
    /// follow no single schema.
    [<CompiledName("Merge")>]
    val merge: old: Resource -> updating: Resource -> Resource

    /// Parses `OTEL_RESOURCE_ATTRIBUTES` (`k=v,k2=v2`, keys and values percent-decoded, blanks trimmed).
    /// A malformed entry (no `=`, empty key, bad percent-encoding) is skipped with a warning. An attribute whose key
    /// or value holds control characters (a line break, a tab, DEL, C1; raw or percent-encoded) is kept, with a
    /// warning naming the attribute (its key, control characters escaped), never its value.
    [<CompiledName("ParseAttributes")>]
    val parseAttributes: text: string -> KeyValue list * ConfigWarning list

    /// The resource from the environment: `OTEL_RESOURCE_ATTRIBUTES`, then `OTEL_SERVICE_NAME` over its `service.name`.
    /// A service name with control characters is kept, with a warning naming `service.name`, not the value.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> Resource * ConfigWarning list

    /// This assembly's informational version without `+build` metadata (`0.0.0` when absent).
    val internal sdkVersion: string

    /// `telemetry.sdk.name` = `functional-telemetry`, `telemetry.sdk.language` = `dotnet`,
    /// `telemetry.sdk.version` = this assembly's informational version without `+build` metadata (`0.0.0` when absent),
    /// with the schema URL of the semantic conventions the SDK follows (`SemanticConventions.SchemaUrl`).
    [<CompiledName("TelemetrySdk")>]
    val telemetrySdk: Resource

    /// The value of `service.name`, if set.
    [<CompiledName("TryGetServiceName")>]
    val tryServiceName: resource: Resource -> string option

    /// The SDK's resource, lowest priority first: telemetry.sdk, `service.name` = `unknown_service:<processName>`,
    /// then `defaultServiceName` (the name given in code to `Telemetry.create`, if any), then `detected` (machine detectors),
    /// then the environment (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`), then `configured` (attributes set in code).
    /// The schema URL is `SemanticConventions.SchemaUrl` unless a part brings a different one: then the result has no
    /// schema URL (see `merge`) and a warning names both.
    [<CompiledName("Build")>]
    val build:
        processName: string ->
        defaultServiceName: string option ->
        detected: Resource ->
        configured: Resource ->
        lookup: EnvLookup ->
            Resource * ConfigWarning list
