namespace Functional.Telemetry.FSharp

open System

type RetryPolicy =
    {
        Enabled: bool
        MaxAttempts: int
        InitialBackoff: TimeSpan
        MaxBackoff: TimeSpan
        BackoffMultiplier: float
    }

[<RequireQualifiedAccess>]
module RetryPolicy =
    [<CompiledName("Default")>]
    let defaults =
        {
            Enabled = true
            MaxAttempts = 5
            InitialBackoff = TimeSpan.FromSeconds 1.
            MaxBackoff = TimeSpan.FromSeconds 5.
            BackoffMultiplier = 1.5
        }

    [<CompiledName("Disabled")>]
    let disabled = { defaults with Enabled = false; MaxAttempts = 1 }

    [<CompiledName("Backoff")>]
    let backoff (policy: RetryPolicy) (attempt: int) (retryAfter: TimeSpan option) (random: float) =
        // Total on odd input: NaN, negative or overflowing values collapse to a zero or capped bound.
        let sample =
            if Double.IsNaN random then
                0.
            else
                Math.Clamp(random, 0., 1.)

        let exponent = float (max 1 attempt - 1)
        let maxTicks = float (max 0L policy.MaxBackoff.Ticks)

        let grown =
            float (max 0L policy.InitialBackoff.Ticks)
            * Math.Pow(policy.BackoffMultiplier, exponent)

        let bound =
            if Double.IsNaN grown || grown < 0. then
                0.
            else
                Math.Min(grown, maxTicks)

        let jittered = TimeSpan.FromTicks(int64 (sample * bound))

        match retryAfter with
        | Some wanted when wanted > jittered -> wanted
        | _ -> jittered

    [<CompiledName("Validate")>]
    let validate (policy: RetryPolicy) =
        [
            Validation.check
                (policy.MaxAttempts >= 1)
                (nameof policy.MaxAttempts)
                $"must be at least 1, got {policy.MaxAttempts}."
            Validation.check
                (policy.InitialBackoff >= TimeSpan.Zero)
                (nameof policy.InitialBackoff)
                $"must not be negative, got {policy.InitialBackoff}."
            Validation.check
                (policy.MaxBackoff >= TimeSpan.Zero)
                (nameof policy.MaxBackoff)
                $"must not be negative, got {policy.MaxBackoff}."
            Validation.check
                (Double.IsFinite policy.BackoffMultiplier && policy.BackoffMultiplier >= 1.0)
                (nameof policy.BackoffMultiplier)
                $"must be finite and at least 1, got {policy.BackoffMultiplier}."
        ]
        |> List.concat
        |> Validation.ofErrors policy
