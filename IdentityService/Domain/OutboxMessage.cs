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

    public string? LastError { get; set; }
}

public static class OutboxMessageTypes
{
    /// <summary>Internal contract 1: <c>POST http://userservice/internal/users</c>.</summary>
    public const string ProvisionUserProfile = "provision-user-profile";
}
