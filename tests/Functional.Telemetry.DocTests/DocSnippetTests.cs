using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Functional.Telemetry.DocTests;

/// <summary>One ```csharp block of a Markdown file; <paramref name="Context"/> holds the declarations of an HTML
/// comment <c>&lt;!-- csharp-context: ... --&gt;</c> right above it (names the snippet uses but does not show).</summary>
public sealed record Snippet(string File, int Line, string Code, string Context)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// Every ```csharp block in README.md and docs/*.md compiles against the C# packages (facade, ASP.NET Core, hosting) with the
/// usings a C# web project has implicitly. A block is a whole file (usings, statements, types) or a fragment that
/// uses the names the docs give their builders (<c>t</c>, <c>m</c>, <c>l</c>, ...): a fragment is compiled inside a
/// method whose parameters are those names, unless the fragment declares them itself.
/// </summary>
public sealed class DocSnippetTests
{
    private static readonly string Root = FindRoot();

    // The names the docs' fragments use without declaring them, and their types.
    private static readonly (string Name, string Type)[] FreeNames =
    {
        ("t", "TracingBuilder"),
        ("m", "MetricsBuilder"),
        ("l", "LoggingBuilder"),
        ("o", "OtlpExporterOptions"),
        ("status", "int"),
        ("span", "Span"),
        ("record", "LogRecord"),
        ("args", "string[]"),
        ("telemetry", "TelemetrySdk"),
        ("sdk", "TelemetrySdk"),
        ("builder", "WebApplicationBuilder"),
        ("app", "WebApplication"),
        ("services", "IServiceCollection"),
        ("logger", "ILogger"),
        ("source", "ActivitySource"),
        ("meter", "Meter"),
    };

    private const string Prelude = """
        global using System;
        global using System.Collections.Generic;
        global using System.Diagnostics;
        global using System.Diagnostics.Metrics;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        global using Functional.Telemetry;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray());

    public static IEnumerable<object[]> Snippets() => ReadSnippets().Select(s => new object[] { s });

    [Fact]
    public void The_docs_have_csharp_snippets_in_the_readme_and_the_csharp_guide()
    {
        var files = ReadSnippets().Select(s => s.File).ToHashSet();
        Assert.Contains("README.md", files);
        Assert.Contains("docs/getting-started-csharp.md", files);
        Assert.Contains("docs/hosting.md", files);
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_teaches_no_FSharp_type(Snippet snippet)
    {
        var fsharp = Regex.Matches(snippet.Code, @"Microsoft\.FSharp|FSharp(List|Option|Func|Map|Set|ValueOption)\b|\b\w+Module\.|FuncConvert")
            .Select(m => m.Value)
            .ToList();
        Assert.True(fsharp.Count == 0, $"{snippet} names F# types: {string.Join(", ", fsharp)}");
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_compiles(Snippet snippet)
    {
        // Types declared by the file's other snippets (an exporter class shown once, used later) are in scope.
        var siblings = ReadSnippets()
            .Where(s => s.File == snippet.File && s != snippet && IsTypesOnly(s.Code))
            .Select(s => s.Code)
            .Append(snippet.Context);
        var errors = Compile(snippet.Code, siblings);
        Assert.True(errors.Count == 0, $"{snippet} does not compile:\n{string.Join("\n", errors)}\n---\n{snippet.Code}");
    }

    [Fact]
    public void A_snippet_that_calls_a_missing_method_fails_to_compile()
    {
        // The harness itself can fail: a fragment calling what the builder lacks is an error.
        Assert.NotEmpty(Compile("t.AddNoSuchThing();"));
        Assert.Empty(Compile("t.AddSource(\"MyCompany.*\");"));
    }

    private static List<string> Compile(string code, IEnumerable<string>? declarations = null)
    {
        var source = Wrap(code);
        var trees = new[]
            {
                CSharpSyntaxTree.ParseText(Prelude, Options, "Prelude.cs"),
                CSharpSyntaxTree.ParseText(source, Options, "Snippet.cs"),
            }
            .Concat((declarations ?? []).Where(d => d.Length > 0).Select((d, i) => CSharpSyntaxTree.ParseText(d, Options, $"Declarations{i}.cs")))
            .ToArray();
        var compilation = CSharpCompilation.Create(
            "Snippet",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToList();
    }

    private static readonly CSharpParseOptions Options = new(LanguageVersion.Latest);

    private static readonly Regex TypeDeclaration =
        new(@"(?m)^(public |internal |sealed |static |abstract |partial )*(class|record|interface|struct) ");

    private static readonly Regex MemberDeclaration =
        new(@"^\s*(\[\w+(\(.*\))?\]\s*)*(public |private |internal |protected )(static )?(async )?[\w<>\[\],? ]+\s+\w+\s*\(");

    private static bool IsTypesOnly(string code) =>
        TypeDeclaration.IsMatch(code)
        && code[..TypeDeclaration.Match(code).Index].Split('\n').All(l => l.Trim().Length == 0 || l.StartsWith("using ") || l.TrimStart().StartsWith("//"));

    // A whole file (it has usings, top-level awaits or declarations of its own) compiles as it is; a fragment
    // goes inside a method whose parameters are the free names it uses.
    private static string Wrap(string code)
    {
        if (MemberDeclaration.IsMatch(code))
        {
            // A method shown alone (a test, a handler): it goes into a class, with xunit in scope for tests.
            return $"using Xunit;\npublic class SnippetMembers {{\n{code}\n}}\nclass SnippetEntry {{ static void Main() {{ }} }}";
        }

        var lines = code.Split('\n');
        var usings = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal) && !l.Contains('(') && !l.Contains(" var ") || l.Trim().Length == 0).ToList();
        var body = string.Join('\n', lines.Skip(usings.Count));
        var free = FreeNames
            .Where(n => Regex.IsMatch(body, $@"(?<![\w.""]){Regex.Escape(n.Name)}\b(?!\s*=>)")
                && !Regex.IsMatch(body, $@"\b(var|int|string|[A-Z][\w<>\[\]]*)\s+{Regex.Escape(n.Name)}\s*[=;,)]"))
            .ToList();
        var declaresTypes = TypeDeclaration.IsMatch(body);
        var isStatementsOnly = !declaresTypes;
        if (free.Count == 0)
        {
            return string.Join('\n', usings) + "\n" + body + (isStatementsOnly ? "" : "\nclass SnippetEntry { static void Main() { } }");
        }

        var parameters = string.Join(", ", free.Select(n => $"{n.Type} {n.Name}"));
        if (declaresTypes)
        {
            // Types stay at the top level; the statements around them go into the method.
            var typeStart = TypeDeclaration.Match(body).Index;
            var statements = body[..typeStart];
            var types = body[typeStart..];
            return $"{string.Join('\n', usings)}\nstatic class SnippetHost {{ static async Task<object?> Run({parameters}) {{\n{statements}\n;return null; }} static void Main() {{ }} }}\n{types}";
        }

        return $"{string.Join('\n', usings)}\nstatic class SnippetHost {{ static async Task<object?> Run({parameters}) {{\n{body}\n;return null; }} static void Main() {{ }} }}";
    }

    private static List<Snippet> ReadSnippets()
    {
        var files = new[] { Path.Combine(Root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md"))
            .OrderBy(f => f, StringComparer.Ordinal);
        var snippets = new List<Snippet>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim() != "```csharp")
                {
                    continue;
                }

                var start = i + 1;
                var end = start;
                while (end < lines.Length && lines[end].Trim() != "```")
                {
                    end++;
                }

                var relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
                var context = i > 0 ? Regex.Match(lines[i - 1], @"^<!-- csharp-context: (.*) -->$") : Match.Empty;
                snippets.Add(new Snippet(relative, start + 1, string.Join('\n', lines[start..end]), context.Success ? context.Groups[1].Value : ""));
                i = end;
            }
        }

        return snippets;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functional.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Functional.sln not found above " + AppContext.BaseDirectory);
    }
}
