namespace IdentityService.Infrastructure;

/// <summary>
/// <c>PasswordHashing</c> settings. The Argon2id cost defaults are contract §2's; the limits bound how much
/// CPU and memory (MemoryKib per running hash) logins can take, so a burst cannot starve other endpoints.
/// </summary>
public sealed class PasswordHashingOptions
{
    public const string Section = "PasswordHashing";

    public int MemoryKib { get; set; } = 65536;

    public int Iterations { get; set; } = 3;

    public int Parallelism { get; set; } = 4;

    public int SaltBytes { get; set; } = 16;

    public int HashBytes { get; set; } = 32;

    /// <summary>Hashes running at once; 0 means the processor count.</summary>
    public int MaxConcurrentHashes { get; set; }

    /// <summary>Requests that may wait for a slot; beyond it the answer is 503 with Retry-After.</summary>
    public int QueueLimit { get; set; } = 8;

    public int RetryAfterSeconds { get; set; } = 1;

    public int EffectiveConcurrency => MaxConcurrentHashes > 0 ? MaxConcurrentHashes : Environment.ProcessorCount;
}
