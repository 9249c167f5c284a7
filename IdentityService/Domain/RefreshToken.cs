namespace IdentityService.Domain;

/// <summary>
/// A refresh token as stored: only the SHA-256 of the opaque value. A token is current until it is rotated;
/// presenting it after that is reuse.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; init; }

    public Guid SessionId { get; init; }

    public required byte[] TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? RotatedAt { get; set; }
}
