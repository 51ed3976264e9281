namespace Functional.Telemetry;

/// <summary>
/// A processor as a class, for processors the service container makes (<c>t.AddProcessor&lt;RedactTokens&gt;()</c>,
/// <c>l.AddProcessor(sp =&gt; new TagTenant(sp.GetRequiredService&lt;ITenant&gt;()))</c>). It runs on every ended,
/// sampled span (or every log record) before export, on the export thread, in the order processors were added.
/// </summary>
/// <typeparam name="T"><see cref="Span"/> or <see cref="LogRecord"/>.</typeparam>
public interface IProcessor<T>
    where T : class
{
    /// <summary>Returns the item to keep (changed or not: <c>span.WithAttribute(...)</c>), or null to drop it.</summary>
    T? Process(T item);
}
