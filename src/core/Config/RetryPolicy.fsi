namespace Functional.Telemetry.FSharp

open System

/// Retry behaviour for `ExportResult.Retryable` outcomes (on by default).
type RetryPolicy =
    {
        /// False turns retries off: a Retryable result counts as a failure at once.
        Enabled: bool
        /// Most attempts per batch, the first included. Default 5.
        MaxAttempts: int
        /// Upper bound of the first backoff. Default 1 s.
        InitialBackoff: TimeSpan
        /// Cap on the backoff bound. Default 5 s.
        MaxBackoff: TimeSpan
        /// Growth of the backoff bound per attempt. Default 1.5.
        BackoffMultiplier: float
    }

/// Retry policies.
[<RequireQualifiedAccess>]
module RetryPolicy =
    /// Enabled, 5 attempts, 1 s initial, 5 s max, multiplier 1.5 (the OTLP exporter spec's defaults).
    [<CompiledName("Default")>]
    val defaults: RetryPolicy

    /// No retries.
    [<CompiledName("Disabled")>]
    val disabled: RetryPolicy

    /// The wait before retry `attempt` (1 for the first retry) with full jitter: uniform in [0, bound], where
    /// bound = min(MaxBackoff, InitialBackoff * BackoffMultiplier^(attempt-1)); never less than `retryAfter`.
    /// `random` is a uniform sample in [0, 1). Pure.
    [<CompiledName("Backoff")>]
    val backoff: policy: RetryPolicy -> attempt: int -> retryAfter: TimeSpan option -> random: float -> TimeSpan

    /// Checks a policy given in code: MaxAttempts at least 1, InitialBackoff and MaxBackoff not negative,
    /// BackoffMultiplier finite and at least 1. Error with one message per bad setting (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: policy: RetryPolicy -> Result<RetryPolicy, string list>
