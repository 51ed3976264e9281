using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Functional.Telemetry;

/// <summary>
/// Binds a <see cref="Counter{T}"/>, <see cref="UpDownCounter{T}"/> or <see cref="Histogram{T}"/> to one attribute
/// set: <c>counter.Bind(new("http.request.method", "GET"))</c> returns a handle whose <c>Add</c> (<c>Record</c>)
/// writes straight into that attribute set's aggregation cell, with no tag lookup and no allocation. The handle
/// follows the instrument: it records in every Functional.Telemetry SDK that listens to the instrument now or
/// starts later, through the same views and cardinality limit as <c>counter.Add(value, tags)</c>. Dispose it to
/// unbind. Other <see cref="MeterListener"/>s of the instrument (another SDK, <c>dotnet-counters</c>) do not see
/// bound measurements.
/// </summary>
public static class BoundInstrumentExtensions
{
    /// <summary>Binds the counter to these tags until the returned handle is disposed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="counter"/> is null.</exception>
    public static BoundCounter<T> Bind<T>(this Counter<T> counter, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct =>
        BoundInstruments.counter<T>(Guard.NotNull(counter, nameof(counter)), TagArray(tags));

    /// <summary>Binds the counter to these tags until the returned handle is disposed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="counter"/> is null.</exception>
    public static BoundCounter<T> Bind<T>(this Counter<T> counter, in TagList tags)
        where T : struct =>
        BoundInstruments.counter<T>(Guard.NotNull(counter, nameof(counter)), TagArray(tags));

    /// <summary>Binds the up-down counter to these tags until the returned handle is disposed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="counter"/> is null.</exception>
    public static BoundCounter<T> Bind<T>(this UpDownCounter<T> counter, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct =>
        BoundInstruments.counter<T>(Guard.NotNull(counter, nameof(counter)), TagArray(tags));

    /// <summary>Binds the up-down counter to these tags until the returned handle is disposed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="counter"/> is null.</exception>
    public static BoundCounter<T> Bind<T>(this UpDownCounter<T> counter, in TagList tags)
        where T : struct =>
        BoundInstruments.counter<T>(Guard.NotNull(counter, nameof(counter)), TagArray(tags));

    /// <summary>Binds the histogram to these tags until the returned handle is disposed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="histogram"/> is null.</exception>
    public static BoundHistogram<T> Bind<T>(this Histogram<T> histogram, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct =>
        BoundInstruments.histogram<T>(Guard.NotNull(histogram, nameof(histogram)), TagArray(tags));

    /// <summary>Binds the histogram to these tags until the returned handle is disposed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="histogram"/> is null.</exception>
    public static BoundHistogram<T> Bind<T>(this Histogram<T> histogram, in TagList tags)
        where T : struct =>
        BoundInstruments.histogram<T>(Guard.NotNull(histogram, nameof(histogram)), TagArray(tags));

    private static KeyValuePair<string, object>[] TagArray(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new KeyValuePair<string, object>[tags.Length];

        for (var i = 0; i < tags.Length; i++)
        {
            copy[i] = new KeyValuePair<string, object>(tags[i].Key, tags[i].Value!);
        }

        return copy;
    }

    private static KeyValuePair<string, object>[] TagArray(in TagList tags)
    {
        var copy = new KeyValuePair<string, object>[tags.Count];

        for (var i = 0; i < tags.Count; i++)
        {
            copy[i] = new KeyValuePair<string, object>(tags[i].Key, tags[i].Value!);
        }

        return copy;
    }
}
