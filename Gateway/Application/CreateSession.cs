using System.Security.Cryptography;
using Gateway.Domain;
using Microsoft.Extensions.Options;

namespace Gateway.Application;

public sealed record CreatedSession(string SessionId, string PublicKey, DateTimeOffset ExpiresAt);

/// <summary>
/// The use case's one setting, <c>Gateway:Encryption:SessionLifetime</c>; the rest of that section (master key,
/// clock skew, whether encryption is required) is the edge's, in <c>Infrastructure/GatewayOptions.cs</c>.
/// </summary>
public sealed class EncryptionSessionOptions
{
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Where session keys live between requests (Redis, sealed: Infrastructure/Encryption/SessionStore.cs).</summary>
public interface ISessionKeyStore
{
    /// <summary>Stores the key for the lifetime; the caller zeroes its copy right after.</summary>
    Task SaveAsync(string sessionId, byte[] sessionKey, TimeSpan lifetime);
}

/// <summary>
/// Contract §5.1 step 1: a fresh server key pair per session (so one leaked session key exposes one session only),
/// the key agreement, and the sealed session key in Redis. Null when the client's point is invalid.
/// </summary>
public sealed class CreateSession(ISessionKeyStore sessions, IOptions<EncryptionSessionOptions> options, TimeProvider clock)
{
    public async Task<CreatedSession?> ExecuteAsync(byte[] clientPoint)
    {
        using var client = SessionKeyAgreement.TryImportPublicKey(clientPoint);
        if (client is null)
        {
            return null;
        }

        using var server = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var sessionId = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));
        var key = SessionKeyAgreement.DeriveSessionKey(server, client, sessionId);
        var lifetime = options.Value.SessionLifetime;
        try
        {
            await sessions.SaveAsync(sessionId, key, lifetime);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        var expiresAt = clock.GetUtcNow().Add(lifetime);
        return new CreatedSession(sessionId, Base64Url.Encode(SessionKeyAgreement.ExportPublicKey(server)),
            new DateTimeOffset(expiresAt.Ticks - expiresAt.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
    }
}
