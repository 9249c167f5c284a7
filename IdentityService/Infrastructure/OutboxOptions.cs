using IdentityService.Domain;

namespace IdentityService.Infrastructure;

/// <summary><c>Outbox</c> settings: how often the dispatcher looks, the retry backoff, and when a refused message is dead-lettered.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    public int PollIntervalMilliseconds { get; set; } = 1000;

    public int BatchSize { get; set; } = 20;

    public int FirstRetrySeconds { get; set; } = 1;

    public int MaxRetrySeconds { get; set; } = 60;

    /// <summary>
    /// Attempts a message the receiver refuses with a 4xx (not 408/429) gets before it is dead-lettered. More than
    /// one, so that a receiver deployed a moment before the sender's new message format does not lose the message.
    /// </summary>
    public int MaxRefusedAttempts { get; set; } = 5;

    /// <summary>Per delivery attempt; the first one happens while the registering client waits.</summary>
    public int DeliveryTimeoutMilliseconds { get; set; } = 5000;

    public OutboxRetryPolicy RetryPolicy => new(
        TimeSpan.FromSeconds(FirstRetrySeconds), TimeSpan.FromSeconds(MaxRetrySeconds), Math.Max(1, MaxRefusedAttempts));
}
