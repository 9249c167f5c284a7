using System.Security.Cryptography;
using System.Text;
using IdentityService.Domain;
using IdentityService.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IdentityService.Application;

/// <summary>
/// Creates login sessions and their token pairs, and revokes sessions: in the database (refresh stops) and
/// in the shared revocation list (every validator rejects the session's access tokens at once).
/// </summary>
public sealed partial class SessionTokens(
    IdentityDbContext db,
    AccessTokenIssuer accessTokens,
    ISessionRevocationList revocations,
    IOptions<TokenOptions> options,
    TimeProvider clock,
    ILogger<SessionTokens> logger)
{
    private const int RefreshTokenBytes = 32;

    public async Task<TokenPair> StartSessionAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = new LoginSession { Id = Guid.CreateVersion7(), AccountId = accountId, CreatedAt = now };
        db.Sessions.Add(session);
        var refreshToken = AddRefreshToken(session.Id, now);
        await db.SaveChangesAsync(cancellationToken);
        return Pair(accountId, session.Id, refreshToken);
    }

    /// <summary>Adds (unsaved) a new refresh token of the session and returns its opaque value.</summary>
    public string AddRefreshToken(Guid sessionId, DateTimeOffset now)
    {
        var value = Base64Url(RandomNumberGenerator.GetBytes(RefreshTokenBytes));
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            SessionId = sessionId,
            TokenHash = HashRefreshToken(value),
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        });
        return value;
    }

    public TokenPair Pair(Guid accountId, Guid sessionId, string refreshToken) => new(
        accessTokens.Issue(accountId, sessionId),
        refreshToken,
        "Bearer",
        options.Value.AccessTokenLifetimeSeconds,
        options.Value.RefreshTokenLifetimeSeconds,
        accountId);

    /// <summary>
    /// Revokes a session of the given account (no-op for another account's session). The revocation-list
    /// entry outlives every access token of the session, with the validators' clock skew on top.
    /// </summary>
    public async Task RevokeSessionAsync(Guid sessionId, Guid accountId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var updated = await db.Sessions
            .Where(s => s.Id == sessionId && s.AccountId == accountId && s.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, reason), cancellationToken);
        try
        {
            await revocations.RevokeAsync(sessionId.ToString(), options.Value.AccessTokenLifetime + JwtSettings.MaxClockSkew);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The database revocation already stops refresh; access tokens then live out their (short) lifetime.
            LogRevocationListUnavailable(logger, sessionId, e.GetType().Name);
        }
        if (updated > 0)
        {
            LogSessionRevoked(logger, sessionId, reason);
        }
    }

    /// <summary>Refresh tokens are high-entropy, so a fast hash suffices; only the hash is stored.</summary>
    public static byte[] HashRefreshToken(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "Login session {SessionId} revoked ({Reason})")]
    private static partial void LogSessionRevoked(ILogger logger, Guid sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not add session {SessionId} to the revocation list ({Reason})")]
    private static partial void LogRevocationListUnavailable(ILogger logger, Guid sessionId, string reason);
}
