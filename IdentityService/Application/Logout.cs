using IdentityService.Domain;
using IdentityService.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityService.Application;

/// <summary>
/// Logout revokes the login session of the presented access token. The refresh token in the body is
/// revoked with it when it belongs to the same account (a client may hold a token of another of its
/// sessions); another account's refresh token is ignored, so nobody can log someone else out.
/// </summary>
public sealed class Logout(IdentityDbContext db, SessionTokens sessions)
{
    public async Task ExecuteAsync(Guid accountId, Guid sessionId, string refreshToken, CancellationToken cancellationToken)
    {
        await sessions.RevokeSessionAsync(sessionId, accountId, RevocationReasons.Logout, cancellationToken);

        var hash = SessionTokens.HashRefreshToken(refreshToken);
        var otherSession = await db.RefreshTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Join(db.Sessions, t => t.SessionId, s => s.Id, (t, s) => s)
            .FirstOrDefaultAsync(s => s.AccountId == accountId && s.Id != sessionId, cancellationToken);
        if (otherSession is not null)
        {
            await sessions.RevokeSessionAsync(otherSession.Id, accountId, RevocationReasons.Logout, cancellationToken);
        }
    }
}
