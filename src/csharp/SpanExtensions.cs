using Microsoft.FSharp.Collections;

namespace Functional.Telemetry;

/// <summary>Changing a <see cref="Span"/> in a C# processor (<see cref="TracingBuilder.AddProcessor"/>): each
/// method returns a changed copy and leaves the span it was called on as it was.</summary>
public static class SpanExtensions
{
    /// <summary>A copy with this name.</summary>
    public static Span WithName(this Span span, string name)
    {
        Guard.NotNull(span, nameof(span));
        Guard.NotNull(name, nameof(name));
        return Copy(span, name: name);
    }

    /// <summary>A copy with the attribute <paramref name="key"/> set to <paramref name="value"/>: replaced
    /// where the key is, else added last. The value may be a string, bool, any integer or floating type, a byte
    /// array, an <see cref="AnyValue"/>, or an array or list of those; null is an empty value.</summary>
    public static Span WithAttribute(this Span span, string key, object? value)
    {
        Guard.NotNull(span, nameof(span));
        Guard.NotBlank(key, nameof(key));
        return Copy(span, attributes: Attributes.Set(span.Attributes, key, ActivityConversion.ToAnyValue(value!)));
    }

    /// <summary>A copy without the attribute <paramref name="key"/> (the span itself when it has none).</summary>
    public static Span WithoutAttribute(this Span span, string key)
    {
        Guard.NotNull(span, nameof(span));
        Guard.NotNull(key, nameof(key));
        var kept = Attributes.Remove(span.Attributes, key);
        return ReferenceEquals(kept, span.Attributes) ? span : Copy(span, attributes: kept);
    }

    /// <summary>A copy whose attributes with these keys, on the span, its events and its links, have the value
    /// <paramref name="replacement"/> (for example <c>"****"</c>).</summary>
    public static Span RedactAttributes(this Span span, IEnumerable<string> keys, string replacement)
    {
        Guard.NotNull(span, nameof(span));
        Guard.NotNull(replacement, nameof(replacement));
        return SpanProcessor.Redact(ListModule.OfSeq(Guard.NotNull(keys, nameof(keys))), replacement, span);
    }

    /// <summary>A copy with the status Ok.</summary>
    public static Span WithStatusOk(this Span span) => Copy(Guard.NotNull(span, nameof(span)), status: Status.Ok);

    /// <summary>A copy with the status Error and this description (may be empty).</summary>
    public static Span WithStatusError(this Span span, string description)
    {
        Guard.NotNull(span, nameof(span));
        return Copy(span, status: Status.NewError(Guard.NotNull(description, nameof(description))));
    }

    /// <summary>The description of an Error status; null for Unset and Ok.</summary>
    public static string? GetErrorDescription(this Status status) =>
        Guard.NotNull(status, nameof(status)) is Status.Error error ? error.description : null;

    private static Span Copy(Span span, string? name = null, IReadOnlyList<KeyValue>? attributes = null, Status? status = null) =>
        new(
            span.Context,
            span.ParentSpanId,
            span.ParentIsRemote,
            name ?? span.Name,
            span.Kind,
            span.StartTime,
            span.EndTime,
            attributes ?? span.Attributes,
            span.Events,
            span.Links,
            status ?? span.Status,
            span.DroppedAttributes,
            span.DroppedEvents,
            span.DroppedLinks,
            span.Scope);
}

/// <summary>Changing a <see cref="LogRecord"/> in a C# processor (<see cref="LoggingBuilder.AddProcessor"/>):
/// each method returns a changed copy and leaves the record it was called on as it was.</summary>
public static class LogRecordExtensions
{
    /// <summary>A copy with this body (converted as <see cref="SpanExtensions.WithAttribute"/> converts values).</summary>
    public static LogRecord WithBody(this LogRecord record, object? body)
    {
        Guard.NotNull(record, nameof(record));
        return Copy(record, body: ActivityConversion.ToAnyValue(body!));
    }

    /// <summary>A copy with the attribute <paramref name="key"/> set to <paramref name="value"/>: replaced
    /// where the key is, else added last.</summary>
    public static LogRecord WithAttribute(this LogRecord record, string key, object? value)
    {
        Guard.NotNull(record, nameof(record));
        Guard.NotBlank(key, nameof(key));
        return Copy(record, attributes: Attributes.Set(record.Attributes, key, ActivityConversion.ToAnyValue(value!)));
    }

    /// <summary>A copy without the attribute <paramref name="key"/> (the record itself when it has none).</summary>
    public static LogRecord WithoutAttribute(this LogRecord record, string key)
    {
        Guard.NotNull(record, nameof(record));
        Guard.NotNull(key, nameof(key));
        var kept = Attributes.Remove(record.Attributes, key);
        return ReferenceEquals(kept, record.Attributes) ? record : Copy(record, attributes: kept);
    }

    private static LogRecord Copy(LogRecord record, AnyValue? body = null, IReadOnlyList<KeyValue>? attributes = null) =>
        new(
            record.Timestamp,
            record.ObservedTimestamp,
            record.SeverityNumber,
            record.SeverityText,
            body ?? record.Body,
            attributes ?? record.Attributes,
            record.DroppedAttributes,
            record.TraceId,
            record.SpanId,
            record.TraceFlags,
            record.EventName,
            record.Scope);
}

/// <summary>Attribute lists as the model holds them (F# lists behind <see cref="IReadOnlyList{T}"/>, so that
/// records keep comparing by value).</summary>
internal static class Attributes
{
    /// <summary>The list with <paramref name="key"/> set: replaced in place, else added last.</summary>
    public static IReadOnlyList<KeyValue> Set(IReadOnlyList<KeyValue> attributes, string key, AnyValue value)
    {
        var replaced = false;
        var result = new List<KeyValue>(attributes.Count + 1);
        foreach (var attribute in attributes)
        {
            if (string.Equals(attribute.Key, key, StringComparison.Ordinal))
            {
                result.Add(new KeyValue(key, value));
                replaced = true;
            }
            else
            {
                result.Add(attribute);
            }
        }

        if (!replaced)
        {
            result.Add(new KeyValue(key, value));
        }

        return ListModule.OfSeq(result);
    }

    /// <summary>The list without <paramref name="key"/>; the same list when the key is not in it.</summary>
    public static IReadOnlyList<KeyValue> Remove(IReadOnlyList<KeyValue> attributes, string key) =>
        attributes.Any(a => string.Equals(a.Key, key, StringComparison.Ordinal))
            ? ListModule.OfSeq(attributes.Where(a => !string.Equals(a.Key, key, StringComparison.Ordinal)))
            : attributes;
}
