using System.Security.Cryptography;
using System.Text;
using IdentityService.Domain;
using Microsoft.Extensions.Options;

namespace IdentityService.Application;

/// <summary>
/// Creates login sessions and their token pairs, and revokes sessions: in the database (refresh stops) and
/// in the shared revocation list (every validator rejects the session's access tokens at once).
/// </summary>
public sealed partial class SessionTokens(
    ISessionRepository store,
    IAccessTokenIssuer accessTokens,
    ISessionRevocationList revocations,
    IOptions<TokenLifetimes> options,
    TimeProvider clock,
    ILogger<SessionTokens> logger)
{
    private const int RefreshTokenBytes = 32;

    public async Task<TokenPair> StartSessionAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var session = new LoginSession { Id = Guid.CreateVersion7(), AccountId = accountId, CreatedAt = now };
        var (refreshToken, value) = NewRefreshToken(session.Id, now);
        await store.AddAsync(session, refreshToken, cancellationToken);
        return Pair(accountId, session.Id, value);
    }

    /// <summary>A new (unsaved) refresh token of the session, and its opaque value for the client.</summary>
    public (RefreshToken Token, string Value) NewRefreshToken(Guid sessionId, DateTimeOffset now)
    {
        var value = Base64Url(RandomNumberGenerator.GetBytes(RefreshTokenBytes));
        var token = new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            SessionId = sessionId,
            TokenHash = HashRefreshToken(value),
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        };
        return (token, value);
    }

    public TokenPair Pair(Guid accountId, Guid sessionId, string refreshToken) => new(
        accessTokens.Issue(accountId, sessionId, options.Value.AccessTokenLifetime),
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
        var revoked = await store.RevokeAsync(sessionId, accountId, reason, clock.GetUtcNow(), cancellationToken);
        try
        {
            await revocations.RevokeAsync(sessionId.ToString(), options.Value.AccessTokenLifetime + JwtSettings.MaxClockSkew);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database revocation already stops refresh; access tokens then live out their (short) lifetime.
            LogRevocationListUnavailable(logger, sessionId, e.GetType().Name);
        }
        if (revoked)
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
