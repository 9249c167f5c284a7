namespace IdentityService.Domain;

/// <summary>A registered user's credentials. The profile itself lives in the user service.</summary>
public sealed class Account
{
    public Guid Id { get; init; }

    /// <summary>The address as registered (trimmed); uniqueness is case-insensitive, enforced by the database.</summary>
    public required string Email { get; init; }

    public required string DisplayName { get; init; }

    /// <summary>An Argon2id PHC string; replaced when the configured parameters change.</summary>
    public required string PasswordHash { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}
