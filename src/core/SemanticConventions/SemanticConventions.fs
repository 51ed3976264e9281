namespace Functional.Telemetry

/// The release of the OpenTelemetry semantic conventions that the attribute constants (<c>HttpAttributes</c>,
/// <c>ServiceAttributes</c>, ... and <c>IncubatingAttributes</c>) follow, and its schema URL. The SDK's default resource
/// carries this schema URL.
[<RequireQualifiedAccess>]
module SemanticConventions =
    /// The version of the semantic conventions the constants follow: <c>1.45.0</c>, the release that the npm package
    /// <c>@opentelemetry/semantic-conventions</c> 1.45.0 implements.
    [<Literal>]
    let Version = "1.45.0"

    /// The schema URL of that version: <c>https://opentelemetry.io/schemas/1.45.0</c>.
    [<Literal>]
    let SchemaUrl = "https://opentelemetry.io/schemas/" + Version
