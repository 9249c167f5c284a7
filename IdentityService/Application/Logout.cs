using IdentityService.Domain;

namespace IdentityService.Application;

/// <summary>
/// Logout revokes the login session of the presented access token. The refresh token in the body is
/// revoked with it when it belongs to the same account (a client may hold a token of another of its
/// sessions); another account's refresh token is ignored, so nobody can log someone else out.
/// </summary>
public sealed class Logout(ISessionRepository store, SessionTokens sessions)
{
    public async Task ExecuteAsync(Guid accountId, Guid sessionId, string refreshToken, CancellationToken cancellationToken)
    {
        await sessions.RevokeSessionAsync(sessionId, accountId, RevocationReasons.Logout, cancellationToken);

        var found = await store.FindByRefreshTokenAsync(SessionTokens.HashRefreshToken(refreshToken), cancellationToken);
        if (found is { Session: var other } && other.AccountId == accountId && other.Id != sessionId)
        {
            await sessions.RevokeSessionAsync(other.Id, accountId, RevocationReasons.Logout, cancellationToken);
        }
    }
}
