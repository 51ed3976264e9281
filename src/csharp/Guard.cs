namespace Functional.Telemetry;

/// <summary>Argument checks at the C# boundary: the one place that tests for null.</summary>
internal static class Guard
{
    /// <summary>Throws <see cref="ArgumentNullException"/> when <paramref name="value"/> is null.</summary>
    public static T NotNull<T>(T? value, string name) where T : class =>
        value ?? throw new ArgumentNullException(name);

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="value"/> is null or blank.</summary>
    public static string NotBlank(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("Value must not be empty.", name) : value;
}
