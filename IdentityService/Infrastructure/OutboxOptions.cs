namespace IdentityService.Infrastructure;

/// <summary><c>Outbox</c> settings: how often the dispatcher looks, and the retry backoff.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    public int PollIntervalMilliseconds { get; set; } = 1000;

    public int BatchSize { get; set; } = 20;

    public int FirstRetrySeconds { get; set; } = 1;

    public int MaxRetrySeconds { get; set; } = 60;

    /// <summary>Per delivery attempt; the first one happens while the registering client waits.</summary>
    public int DeliveryTimeoutMilliseconds { get; set; } = 5000;
}
