using Microsoft.FSharp.Collections;

namespace Functional.Telemetry;

/// <summary>Reading what a sampler is asked about, and answering, from C#
/// (<see cref="Sampler.Create(Func{SamplingParameters, SamplingResult}, string)"/>).</summary>
public static class SamplingParametersExtensions
{
    /// <summary>The parent span's context; null for a root span (where <c>Parent.IsValid</c> is false).</summary>
    public static SpanContext? GetParentContext(this SamplingParameters parameters) =>
        parameters.Parent.IsValid ? parameters.Parent : null;

    /// <summary>A result with this decision that keeps the parent's trace state and adds no attribute.</summary>
    public static SamplingResult CreateResult(this SamplingParameters parameters, SamplingDecision decision) =>
        new(Guard.NotNull(decision, nameof(decision)), FSharpList<KeyValue>.Empty, TraceStateOf(parameters));

    /// <summary>A result with this decision that keeps the parent's trace state and adds these attributes to the
    /// span (values as <see cref="SpanExtensions.WithAttribute"/> converts them).</summary>
    public static SamplingResult CreateResult(
        this SamplingParameters parameters, SamplingDecision decision, IEnumerable<KeyValuePair<string, object?>> attributes)
    {
        Guard.NotNull(decision, nameof(decision));
        var converted = Guard.NotNull(attributes, nameof(attributes))
            .Select(a => new KeyValue(Guard.NotBlank(a.Key, nameof(attributes)), ActivityConversion.ToAnyValue(a.Value!)));
        return new(decision, ListModule.OfSeq(converted), TraceStateOf(parameters));
    }

    private static TraceState TraceStateOf(SamplingParameters parameters) =>
        parameters.GetParentContext() is { IsValid: true } parent ? parent.TraceState : TraceState.Empty;
}

/// <summary>Reading metric points from C#.</summary>
public static class MetricPointsExtensions
{
    /// <summary>The temporality of sums, histograms and exponential histograms; null for gauges.</summary>
    public static Temporality? GetTemporality(this MetricPoints points) => Guard.NotNull(points, nameof(points)) switch
    {
        MetricPoints.Sum sum => sum.temporality,
        MetricPoints.Histogram histogram => histogram.temporality,
        MetricPoints.ExponentialHistogram exponential => exponential.temporality,
        _ => null,
    };

    /// <summary>True for a monotonic sum (a counter); false for every other kind of points.</summary>
    public static bool IsMonotonic(this MetricPoints points) =>
        Guard.NotNull(points, nameof(points)) is MetricPoints.Sum { isMonotonic: true };

    /// <summary>The integer held, if the measurement was an integer (<c>AsDouble</c> reads either kind).</summary>
    public static bool TryGetInt64(this NumberValue value, out long result)
    {
        var found = Guard.NotNull(value, nameof(value)) is NumberValue.Long;
        result = found ? ((NumberValue.Long)value).Item : 0;
        return found;
    }
}
