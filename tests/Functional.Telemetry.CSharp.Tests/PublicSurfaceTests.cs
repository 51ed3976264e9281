using System.Reflection;
using Functional.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The C# facade assemblies show C# users no F# type: no public or protected member of
/// Functional.Telemetry.CSharp, Functional.Telemetry.AspNetCore or Functional.Telemetry.Hosting mentions a <c>Microsoft.FSharp</c> type, or a type of
/// the core's F# API (namespace <c>Functional.Telemetry.FSharp</c>).</summary>
public class PublicSurfaceTests
{
    private static readonly Assembly[] Facades =
    {
        typeof(TelemetryBuilder).Assembly,
        typeof(PrometheusEndpointRouteBuilderExtensions).Assembly,
        typeof(TelemetryServiceCollectionExtensions).Assembly,
    };

    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Where a type's public surface (base type, interfaces, generic arguments and constraints, and every
    /// public or protected member's signature) mentions a <c>Microsoft.FSharp</c> type, one line each.</summary>
    internal static IEnumerable<string> FSharpMentions(Type type)
    {
        if (Mentions(type.BaseType))
        {
            yield return $"{type}: base type {type.BaseType}";
        }

        foreach (var item in type.GetInterfaces().Where(Mentions))
        {
            yield return $"{type}: interface {item}";
        }

        foreach (var argument in type.GetGenericArguments().Where(Mentions))
        {
            yield return $"{type}: generic argument {argument}";
        }

        foreach (var member in type.GetMembers(Declared).Where(IsVisible))
        {
            foreach (var mentioned in Signature(member).Where(Mentions))
            {
                yield return $"{type}.{member.Name}: {mentioned}";
            }
        }
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly,
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(IsVisible),
        EventInfo e => e.AddMethod is { } add && IsVisible(add),
        Type t => t.IsNestedPublic || t.IsNestedFamily || t.IsNestedFamORAssem,
        _ => false,
    };

    private static IEnumerable<Type> Signature(MemberInfo member) => member switch
    {
        MethodInfo m => new[] { m.ReturnType }
            .Concat(m.GetParameters().Select(p => p.ParameterType))
            .Concat(m.IsGenericMethodDefinition ? m.GetGenericArguments() : Type.EmptyTypes),
        ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
        PropertyInfo p => new[] { p.PropertyType }.Concat(p.GetIndexParameters().Select(i => i.ParameterType)),
        FieldInfo f => new[] { f.FieldType },
        EventInfo e => e.EventHandlerType is { } handler ? new[] { handler } : Type.EmptyTypes,
        Type nested => new[] { nested },
        _ => Type.EmptyTypes,
    };

    /// <summary>True when the type is, holds, or is constrained to a <c>Microsoft.FSharp</c> type.</summary>
    private static bool Mentions(Type? type) => Mentions(type, new HashSet<Type>());

    private static bool Mentions(Type? type, HashSet<Type> seen)
    {
        if (type is null || !seen.Add(type))
        {
            return false;
        }

        if (type.HasElementType)
        {
            return Mentions(type.GetElementType(), seen);
        }

        if (type.IsGenericParameter)
        {
            return type.GetGenericParameterConstraints().Any(c => Mentions(c, seen));
        }

        // FSharp.Core's types, and the core's F# API (namespace Functional.Telemetry.FSharp: curried modules,
        // F#-shaped configuration), which a C# user should never have to open.
        if (type.Namespace?.StartsWith("Microsoft.FSharp", StringComparison.Ordinal) == true
            || type.Namespace == "Functional.Telemetry.FSharp")
        {
            return true;
        }

        return type.IsGenericType && type.GetGenericArguments().Any(a => Mentions(a, seen));
    }

    /// <summary>The F# API of a facade package (the ASP.NET Core instrumentation's functions over the F#
    /// configuration) lives in <c>Functional.Telemetry.FSharp</c>, the namespace C# users never open: its types are
    /// the one deliberate exception to the check below.</summary>
    private const string FSharpApi = "Functional.Telemetry.FSharp";

    [Fact]
    public void No_public_member_of_the_facade_assemblies_mentions_an_FSharp_type()
    {
        var types = Facades.SelectMany(a => a.GetExportedTypes()).Where(t => t.Namespace != FSharpApi).ToArray();
        Assert.Contains(typeof(TelemetryBuilder), types);
        Assert.Contains(typeof(PrometheusEndpointRouteBuilderExtensions), types);
        Assert.Contains(typeof(TelemetryServiceCollectionExtensions), types);
        Assert.Empty(types.SelectMany(FSharpMentions));
    }

    /// <summary>The core's root namespace is what both languages read (the model, the exporter contract, the SDK
    /// object): no public member of a type there mentions an F# type either, so C# reads spans, log records,
    /// metric points, sampling parameters and export results with <c>IReadOnlyList</c> and nullable values.</summary>
    [Fact]
    public void No_public_member_of_the_cores_root_namespace_mentions_an_FSharp_type()
    {
        var types = typeof(Span).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "Functional.Telemetry")
            .ToArray();
        Assert.Contains(typeof(Span), types);
        Assert.Contains(typeof(MetricPoints), types);
        Assert.Contains(typeof(SamplingParameters), types);
        Assert.Contains(typeof(ExportResult), types);
        Assert.Empty(types.SelectMany(FSharpMentions));
    }

    [Fact]
    public void The_F_sharp_API_of_the_facades_is_static_classes_in_the_FSharp_namespace_and_nothing_else_leaks_into_it()
    {
        var fsharp = Facades.SelectMany(a => a.GetExportedTypes()).Where(t => t.Namespace == FSharpApi).ToArray();
        Assert.Equal(new[] { typeof(Functional.Telemetry.FSharp.AspNetCoreInstrumentation) }, fsharp);
        Assert.All(fsharp, t => Assert.True(t.IsAbstract && t.IsSealed, $"{t} is not a static class"));

        // Its members are F#-shaped: each returns the F# configuration or a function over it.
        var members = fsharp.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)).ToArray();
        Assert.NotEmpty(members);
        Assert.All(members, m => Assert.True(
            m.ReturnType.Namespace is FSharpApi || m.ReturnType.Namespace?.StartsWith("Microsoft.FSharp", StringComparison.Ordinal) == true,
            $"{m} returns {m.ReturnType}"));
    }

    /// <summary>Every shape the check looks at: a member like one of these added to the facade fails the test above.</summary>
    public abstract class Leaky : List<FSharpOption<int>>
    {
        public FSharpList<string> Returned() => FSharpList<string>.Empty;

        public void Parameter(Func<FSharpFunc<int, int>, int> nested) => _ = nested;

        public void FSharpApi(Functional.Telemetry.FSharp.SpanLimits limits) => _ = limits;

        public FSharpOption<string>[]? Property { get; set; }

        public void Constrained<T>() where T : IEquatable<FSharpList<int>> { }

        protected Tuple<Unit>? ProtectedField;

        public event EventHandler<FSharpValueOption<int>>? Event;

        public Leaky(FSharpList<int> constructor) => Event?.Invoke(this, constructor.Length);

        private FSharpList<int> Hidden() => FSharpList<int>.Empty;

        internal FSharpList<int> Internal() => Hidden();

        public sealed class Nested : IEnumerable<FSharpList<int>>
        {
            public IEnumerator<FSharpList<int>> GetEnumerator() => Enumerable.Empty<FSharpList<int>>().GetEnumerator();

            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }
    }

    [Fact]
    public void The_check_finds_FSharp_types_in_every_kind_of_public_signature()
    {
        var found = FSharpMentions(typeof(Leaky)).ToArray();
        foreach (var expected in new[]
                 {
                     "base type", "Returned", "Parameter", "FSharpApi", "Property", "get_Property", "set_Property", "Constrained",
                     "ProtectedField", "Event", "add_Event", ".ctor",
                 })
        {
            Assert.Contains(found, line => line.Contains(expected));
        }

        Assert.DoesNotContain(found, line => line.Contains("Hidden") || line.Contains("Internal"));
        Assert.Contains(FSharpMentions(typeof(Leaky.Nested)), line => line.Contains("interface"));
    }
}
