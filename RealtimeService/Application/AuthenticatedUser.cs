namespace RealtimeService.Application;

/// <summary>
/// Who a validated access token speaks for: only what a connection needs for its whole life. The token's
/// claims principal is not kept (with the token text it holds, it weighed about 4 KiB per idle connection).
/// </summary>
public sealed record AuthenticatedUser(Guid UserId, string SessionId, DateTimeOffset ExpiresAt);

/// <summary>Checks an access token exactly as the HTTP services do (signature, iss, aud, exp, typ, revoked session).</summary>
public interface IAccessTokenValidator
{
    /// <returns>The user, or null for a token that is not valid.</returns>
    /// <exception cref="Microsoft.Extensions.Hosting.DependencyUnavailableException">The signing keys cannot be had (the
    /// identity service's JWK set is unreachable and none is cached): whether the token is valid is unknown.</exception>
    Task<AuthenticatedUser?> ValidateAsync(string token, CancellationToken cancellationToken);
}
