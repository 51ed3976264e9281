using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>
/// A sampler for the C# builder: the specification's samplers, or your own decision function.
/// Decisions are made when a span starts; a dropped span still propagates its context.
/// </summary>
public sealed class Sampler
{
    private Sampler(FSharpFunc<SamplingParameters, SamplingResult> function, string description)
    {
        Function = function;
        Description = description;
    }

    internal FSharpFunc<SamplingParameters, SamplingResult> Function { get; }

    /// <summary>A readable description, for example <c>ParentBased{AlwaysOn}</c>.</summary>
    public string Description { get; }

    /// <summary>Samples every span.</summary>
    public static Sampler AlwaysOn { get; } = new(SamplerModule.AlwaysOn, "AlwaysOn");

    /// <summary>Samples no span.</summary>
    public static Sampler AlwaysOff { get; } = new(SamplerModule.AlwaysOff, "AlwaysOff");

    /// <summary>The SDK default: <c>ParentBased(AlwaysOn)</c>.</summary>
    public static Sampler Default { get; } = new(SamplerModule.Default, "ParentBased{AlwaysOn}");

    /// <summary>Samples a fraction of traces, deterministically by trace id.</summary>
    /// <param name="ratio">Between 0 and 1 inclusive.</param>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is outside [0, 1] or NaN.</exception>
    public static Sampler TraceIdRatio(double ratio) =>
        new(SamplerModule.TraceIdRatio(ratio), $"TraceIdRatioBased{{{ratio}}}");

    /// <summary>Follows the parent's sampled flag, using <paramref name="root"/> for root spans.</summary>
    public static Sampler ParentBased(Sampler root) =>
        new(SamplerModule.ParentBased(Guard.NotNull(root, nameof(root)).Function), $"ParentBased{{{root.Description}}}");

    /// <summary>A parent-based sampler with every delegate chosen; null delegates keep the defaults
    /// (AlwaysOn for sampled parents, AlwaysOff for unsampled ones).</summary>
    public static Sampler ParentBased(
        Sampler root,
        Sampler? remoteParentSampled = null,
        Sampler? remoteParentNotSampled = null,
        Sampler? localParentSampled = null,
        Sampler? localParentNotSampled = null)
    {
        Guard.NotNull(root, nameof(root));
        var defaults = SamplerModule.ParentBasedOptionsWithRoot(root.Function);
        var options = new SamplerModule.ParentBasedOptions(
            root.Function,
            remoteParentSampled?.Function ?? defaults.RemoteParentSampled,
            remoteParentNotSampled?.Function ?? defaults.RemoteParentNotSampled,
            localParentSampled?.Function ?? defaults.LocalParentSampled,
            localParentNotSampled?.Function ?? defaults.LocalParentNotSampled);
        return new(SamplerModule.ParentBasedWith(options), $"ParentBased{{{root.Description}}}");
    }

    /// <summary>A sampler from your own decision: <c>Sampler.Create(p =&gt; p.Name == "GET /health" ?
    /// SamplingDecision.Drop : SamplingDecision.RecordAndSample, "NoHealthChecks")</c>. The new span keeps its
    /// parent's trace state. An exception thrown by <paramref name="decide"/> drops the span and is reported
    /// through self-diagnostics; it never reaches the instrumented code.</summary>
    public static Sampler Create(Func<SamplingParameters, SamplingDecision> decide, string description)
    {
        Guard.NotNull(decide, nameof(decide));
        return new(
            FuncConvert.FromFunc<SamplingParameters, SamplingResult>(p => p.CreateResult(decide(p))),
            Guard.NotBlank(description, nameof(description)));
    }

    /// <summary>A sampler from your own function giving a whole result, for example one sampler's answer or
    /// another's (<c>p =&gt; p.Name == "GET /health" ? Sampler.AlwaysOff.ShouldSample(p) :
    /// Sampler.Default.ShouldSample(p)</c>), or a decision with attributes
    /// (<see cref="SamplingParametersExtensions.CreateResult(SamplingParameters, SamplingDecision, IEnumerable{KeyValuePair{string, object}})"/>).
    /// An exception thrown by <paramref name="decide"/> drops the span and is reported through self-diagnostics;
    /// it never reaches the instrumented code.</summary>
    public static Sampler Create(Func<SamplingParameters, SamplingResult> decide, string description)
    {
        Guard.NotNull(decide, nameof(decide));
        return new(FuncConvert.FromFunc(decide), Guard.NotBlank(description, nameof(description)));
    }

    /// <summary>This sampler's answer for a new span: lets your own sampler delegate to this one.</summary>
    public SamplingResult ShouldSample(SamplingParameters parameters) => Function.Invoke(parameters);

    /// <inheritdoc />
    public override string ToString() => Description;
}
