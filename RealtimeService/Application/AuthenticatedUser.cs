using System.Security.Claims;

namespace RealtimeService.Application;

/// <summary>Who a validated access token speaks for.</summary>
public sealed record AuthenticatedUser(Guid UserId, string SessionId, DateTimeOffset ExpiresAt, ClaimsPrincipal Principal);

/// <summary>Checks an access token exactly as the HTTP services do (signature, iss, aud, exp, typ, revoked session).</summary>
public interface IAccessTokenValidator
{
    Task<AuthenticatedUser?> ValidateAsync(string token, CancellationToken cancellationToken);
}
