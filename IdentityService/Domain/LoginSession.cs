namespace IdentityService.Domain;

/// <summary>
/// One login: its id is the access tokens' <c>sid</c>. Revoking it ends every refresh token of the login
/// and, through the shared revocation list, every access token issued for it.
/// </summary>
public sealed class LoginSession
{
    public Guid Id { get; init; }

    public Guid AccountId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedReason { get; set; }

    public bool IsRevoked => RevokedAt is not null;
}

public static class RevocationReasons
{
    public const string Logout = "logout";
    public const string RefreshTokenReuse = "refresh-token-reuse";
}
