namespace IdentityService.Domain;

/// <summary>
/// A message to another service, written in the same transaction as the change it announces and
/// delivered at least once (the receiver is idempotent).
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; init; }

    public required string Type { get; init; }

    public required string Payload { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>Set when the receiver refused the message for good: it is kept, and no longer tried.</summary>
    public DateTimeOffset? DeadLetteredAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>
    /// Records one delivery attempt. A refusal (the receiver says the message itself is wrong) is retried like
    /// any failure until <see cref="OutboxRetryPolicy.MaxRefusedAttempts"/> attempts have been made, then the
    /// message is dead-lettered; an unavailable receiver is retried with backoff for as long as it takes.
    /// A row that already has many attempts behind it is dead-lettered by its next refusal.
    /// </summary>
    public OutboxAttemptResult RecordAttempt(DeliveryOutcome outcome, DateTimeOffset now, OutboxRetryPolicy policy)
    {
        Attempts++;
        LastError = outcome.Error;
        switch (outcome.Kind)
        {
            case DeliveryOutcomeKind.Delivered:
                DeliveredAt = now;
                return OutboxAttemptResult.Delivered;
            case DeliveryOutcomeKind.Refused when Attempts >= policy.MaxRefusedAttempts:
                DeadLetteredAt = now;
                return OutboxAttemptResult.DeadLettered;
            default:
                NextAttemptAt = now + policy.Backoff(Attempts);
                return OutboxAttemptResult.WillRetry;
        }
    }
}

public enum OutboxAttemptResult
{
    Delivered,
    WillRetry,
    DeadLettered,
}

/// <summary>How long to wait after the n-th failed attempt, and how many refusals a message gets.</summary>
public sealed record OutboxRetryPolicy(TimeSpan FirstRetry, TimeSpan MaxRetry, int MaxRefusedAttempts)
{
    public TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetry.TotalSeconds, FirstRetry.TotalSeconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 16))));
}

public enum DeliveryOutcomeKind
{
    Delivered,

    /// <summary>No answer, a timeout, a 5xx, 408 or 429: the receiver may take the message later.</summary>
    Unavailable,

    /// <summary>Any other 4xx (or a message type nobody handles): sending the same bytes again cannot succeed.</summary>
    Refused,
}

public sealed record DeliveryOutcome(DeliveryOutcomeKind Kind, string? Error)
{
    public static readonly DeliveryOutcome Delivered = new(DeliveryOutcomeKind.Delivered, null);

    public bool IsDelivered => Kind == DeliveryOutcomeKind.Delivered;

    public static DeliveryOutcome Unavailable(string error) => new(DeliveryOutcomeKind.Unavailable, error);

    public static DeliveryOutcome Refused(string error) => new(DeliveryOutcomeKind.Refused, error);

    /// <summary>408 and 429 say "later", every other 4xx says "never"; anything else is the receiver's trouble.</summary>
    public static DeliveryOutcome FromStatus(int status) => status switch
    {
        200 or 201 => Delivered,
        408 or 429 => Unavailable($"HTTP {status}"),
        >= 400 and < 500 => Refused($"HTTP {status}"),
        _ => Unavailable($"HTTP {status}"),
    };
}

public static class OutboxMessageTypes
{
    /// <summary>Internal contract 1: <c>POST http://userservice/internal/users</c>.</summary>
    public const string ProvisionUserProfile = "provision-user-profile";
}
