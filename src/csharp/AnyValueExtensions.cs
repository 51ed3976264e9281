namespace Functional.Telemetry;

/// <summary>Which kind of value an <see cref="AnyValue"/> holds, for a <c>switch</c>.</summary>
public enum AnyValueKind
{
    /// <summary>No value (<see cref="AnyValueExtensions.ToObject"/> gives null).</summary>
    Empty,

    /// <summary>A string.</summary>
    String,

    /// <summary>A boolean.</summary>
    Bool,

    /// <summary>A 64-bit integer (every .NET integer type becomes one).</summary>
    Int,

    /// <summary>A double.</summary>
    Double,

    /// <summary>A byte array.</summary>
    Bytes,

    /// <summary>A list of values.</summary>
    Array,

    /// <summary>A list of key/value pairs, keys in order.</summary>
    Map,
}

/// <summary>Reading an <see cref="AnyValue"/> (an attribute value or a log body) from C#: its kind, a
/// <c>TryGet...</c> per kind, or the plain .NET object.</summary>
public static class AnyValueExtensions
{
    /// <summary>The kind of value held.</summary>
    public static AnyValueKind GetKind(this AnyValue value) => Guard.NotNull(value, nameof(value)) switch
    {
        AnyValue.String => AnyValueKind.String,
        AnyValue.Bool => AnyValueKind.Bool,
        AnyValue.Int => AnyValueKind.Int,
        AnyValue.Double => AnyValueKind.Double,
        AnyValue.Bytes => AnyValueKind.Bytes,
        AnyValue.Array => AnyValueKind.Array,
        AnyValue.Map => AnyValueKind.Map,
        _ => AnyValueKind.Empty,
    };

    /// <summary>The string held, if the value is a string.</summary>
    public static bool TryGetString(this AnyValue value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? result)
    {
        result = Guard.NotNull(value, nameof(value)) is AnyValue.String s ? s.Item : null;
        return result is not null;
    }

    /// <summary>The boolean held, if the value is a boolean.</summary>
    public static bool TryGetBool(this AnyValue value, out bool result)
    {
        var found = Guard.NotNull(value, nameof(value)) is AnyValue.Bool;
        result = found && ((AnyValue.Bool)value).Item;
        return found;
    }

    /// <summary>The integer held, if the value is an integer.</summary>
    public static bool TryGetInt64(this AnyValue value, out long result)
    {
        var found = Guard.NotNull(value, nameof(value)) is AnyValue.Int;
        result = found ? ((AnyValue.Int)value).Item : 0;
        return found;
    }

    /// <summary>The double held, if the value is a double (an integer value is not converted).</summary>
    public static bool TryGetDouble(this AnyValue value, out double result)
    {
        var found = Guard.NotNull(value, nameof(value)) is AnyValue.Double;
        result = found ? ((AnyValue.Double)value).Item : 0;
        return found;
    }

    /// <summary>The bytes held, if the value is a byte array (the array itself: do not change it).</summary>
    public static bool TryGetBytes(this AnyValue value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? result)
    {
        result = Guard.NotNull(value, nameof(value)) is AnyValue.Bytes b ? b.Item : null;
        return result is not null;
    }

    /// <summary>The items, if the value is an array.</summary>
    public static bool TryGetArray(this AnyValue value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyList<AnyValue>? result)
    {
        result = Guard.NotNull(value, nameof(value)) is AnyValue.Array a ? a.Item : null;
        return result is not null;
    }

    /// <summary>The entries in order, if the value is a map.</summary>
    public static bool TryGetMap(this AnyValue value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyList<KeyValue>? result)
    {
        result = Guard.NotNull(value, nameof(value)) is AnyValue.Map m ? m.Item : null;
        return result is not null;
    }

    /// <summary>The value as a plain .NET object: <see cref="string"/>, <see cref="bool"/>, <see cref="long"/>,
    /// <see cref="double"/>, <c>byte[]</c>, <c>object?[]</c> for an array,
    /// <c>KeyValuePair&lt;string, object?&gt;[]</c> (in order) for a map, null for an empty value.</summary>
    public static object? ToObject(this AnyValue value) => Guard.NotNull(value, nameof(value)) switch
    {
        AnyValue.String s => s.Item,
        AnyValue.Bool b => b.Item,
        AnyValue.Int i => i.Item,
        AnyValue.Double d => d.Item,
        AnyValue.Bytes bytes => bytes.Item,
        AnyValue.Array items => items.Item.Select(ToObject).ToArray(),
        AnyValue.Map entries => entries.Item.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value.ToObject())).ToArray(),
        _ => null,
    };
}

/// <summary>Finding attributes (of a span, an event, a link, a log record, a resource or a metric point) by key.</summary>
public static class KeyValueExtensions
{
    /// <summary>The value of the first attribute with this key.</summary>
    public static bool TryGetValue(
        this IEnumerable<KeyValue> attributes, string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AnyValue? value)
    {
        Guard.NotNull(attributes, nameof(attributes));
        Guard.NotNull(key, nameof(key));
        foreach (var attribute in attributes)
        {
            if (string.Equals(attribute.Key, key, StringComparison.Ordinal))
            {
                value = attribute.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The value of the first attribute with this key as a plain .NET object (see
    /// <see cref="AnyValueExtensions.ToObject"/>), or null when there is none.</summary>
    public static object? GetValueOrNull(this IEnumerable<KeyValue> attributes, string key) =>
        attributes.TryGetValue(key, out var value) ? value.ToObject() : null;
}
