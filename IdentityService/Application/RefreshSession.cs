using IdentityService.Domain;

namespace IdentityService.Application;

/// <summary>
/// Refresh with rotation. The old token is retired and its successor stored in one atomic step
/// (<see cref="ISessionRepository.RotateAsync"/>), so of two concurrent refreshes exactly one wins. A token
/// that was already rotated when it arrives is reuse: the whole session is revoked.
/// </summary>
public sealed partial class RefreshSession(ISessionRepository store, SessionTokens sessions, TimeProvider clock, ILogger<RefreshSession> logger)
{
    public async Task<TokenPair?> ExecuteAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var found = await store.FindByRefreshTokenAsync(SessionTokens.HashRefreshToken(refreshToken), cancellationToken);
        var now = clock.GetUtcNow();
        if (found is not ({ } token, { } session) || session.IsRevoked || token.ExpiresAt <= now)
        {
            return null;
        }

        if (token.RotatedAt is not null)
        {
            LogReuse(logger, session.Id);
            await sessions.RevokeSessionAsync(session.Id, session.AccountId, RevocationReasons.RefreshTokenReuse, cancellationToken);
            return null;
        }

        var (successor, value) = sessions.NewRefreshToken(session.Id, now);
        // False: a concurrent refresh with the same token won the race, or the session was revoked meanwhile (see README).
        return await store.RotateAsync(token, successor, now, cancellationToken)
            ? sessions.Pair(session.AccountId, session.Id, value)
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotated refresh token presented again: revoking login session {SessionId}")]
    private static partial void LogReuse(ILogger logger, Guid sessionId);
}
