using IdentityService.Domain;
using IdentityService.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityService.Application;

/// <summary>
/// Refresh with rotation. The old token is retired by a conditional UPDATE (<c>rotated_at IS NULL</c>) in the
/// same transaction that stores its successor, so of two concurrent refreshes exactly one wins. A token
/// that was already rotated when it arrives is reuse: the whole session is revoked.
/// </summary>
public sealed partial class RefreshSession(IdentityDbContext db, SessionTokens sessions, TimeProvider clock, ILogger<RefreshSession> logger)
{
    public async Task<TokenPair?> ExecuteAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var hash = SessionTokens.HashRefreshToken(refreshToken);
        var found = await db.RefreshTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Join(db.Sessions, t => t.SessionId, s => s.Id, (t, s) => new { Token = t, Session = s })
            .FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow();
        if (found is null || found.Session.IsRevoked || found.Token.ExpiresAt <= now)
        {
            return null;
        }

        if (found.Token.RotatedAt is not null)
        {
            LogReuse(logger, found.Session.Id);
            await sessions.RevokeSessionAsync(found.Session.Id, found.Session.AccountId, RevocationReasons.RefreshTokenReuse, cancellationToken);
            return null;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var retired = await db.RefreshTokens
            .Where(t => t.Id == found.Token.Id && t.RotatedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RotatedAt, now), cancellationToken);
        if (retired == 0)
        {
            // A concurrent refresh with the same token won the race; this one simply fails (see README).
            return null;
        }
        // The session may have been revoked (logout, reuse) between the read and the update.
        var sessionStillOpen = await db.Sessions.AnyAsync(s => s.Id == found.Session.Id && s.RevokedAt == null, cancellationToken);
        if (!sessionStillOpen)
        {
            return null;
        }
        var successor = sessions.AddRefreshToken(found.Session.Id, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return sessions.Pair(found.Session.AccountId, found.Session.Id, successor);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotated refresh token presented again: revoking login session {SessionId}")]
    private static partial void LogReuse(ILogger logger, Guid sessionId);
}
