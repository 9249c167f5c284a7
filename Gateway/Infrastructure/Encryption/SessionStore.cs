using System.Security.Cryptography;
using System.Text;
using Gateway.Application;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Infrastructure.Encryption;

/// <summary>
/// Encryption sessions in Redis, so any replica can decrypt (<c>gateway-session:{id}</c>, expiring with the session).
/// The session key is stored only sealed with AES-256-GCM under the gateway master key, with the session id as
/// associated data, so a Redis dump alone reveals no key and an entry cannot be moved to another id.
/// A seen-set (<c>gateway-jwe-seen:{fingerprint}</c>, SET NX with expiry) rejects replays across replicas.
/// A session never changes once made, so each replica keeps the keys it has opened in memory until the session
/// expires (bounded by <see cref="OpenedKeysCapacity"/>): a session's requests cost one Redis read per replica.
/// </summary>
public sealed partial class SessionStore : ISessionKeyStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly byte[] _masterKey;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, OpenedKey> _opened = new(StringComparer.Ordinal);

    public const int OpenedKeysCapacity = 10_000;

    private sealed record OpenedKey(byte[] Key, DateTime ExpiresAt);
    private readonly EncryptionMetrics _metrics;

    public SessionStore(IConnectionMultiplexer redis, EncryptionMetrics metrics, IOptions<GatewayOptions> options, ILogger<SessionStore> logger)
    {
        _redis = redis;
        _metrics = metrics;
        var configured = options.Value.Encryption.MasterKey;
        if (string.IsNullOrWhiteSpace(configured))
        {
            // Sessions then work only on this replica and die with it; the AppHost always sets one.
            LogNoMasterKey(logger);
            _masterKey = RandomNumberGenerator.GetBytes(32);
        }
        else
        {
            _masterKey = Convert.FromBase64String(configured);
            if (_masterKey.Length != 32)
            {
                throw new InvalidOperationException("Gateway:Encryption:MasterKey must be base64 of 32 bytes.");
            }
        }
    }

    public static string SessionKey(string sessionId) => $"gateway-session:{sessionId}";

    public static string SeenKey(string fingerprint) => $"gateway-jwe-seen:{fingerprint}";

    public async Task SaveAsync(string sessionId, byte[] sessionKey, TimeSpan lifetime)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var sealedKey = new byte[sessionKey.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(_masterKey, tag.Length))
        {
            aes.Encrypt(nonce, sessionKey, sealedKey, tag, Encoding.UTF8.GetBytes(sessionId));
        }
        await _redis.GetDatabase().StringSetAsync(SessionKey(sessionId), (byte[])[.. nonce, .. sealedKey, .. tag], lifetime);
        Remember(sessionId, [.. sessionKey], lifetime); // a copy: the caller wipes its own
        _metrics.SessionCreated();
    }

    /// <summary>The session key, or null when the session is unknown, expired or its entry does not open.</summary>
    public async Task<byte[]?> FindAsync(string sessionId)
    {
        if (sessionId.Length is 0 or > 128)
        {
            return null;
        }
        if (_opened.TryGetValue(sessionId, out var opened))
        {
            if (opened.ExpiresAt > DateTime.UtcNow)
            {
                return opened.Key;
            }
            _opened.TryRemove(sessionId, out _);
        }
        var entry = await _redis.GetDatabase().StringGetWithExpiryAsync(SessionKey(sessionId));
        byte[]? stored = entry.Value;
        if (stored is not { Length: 12 + 32 + 16 })
        {
            return null;
        }

        var key = new byte[32];
        try
        {
            using var aes = new AesGcm(_masterKey, 16);
            aes.Decrypt(stored.AsSpan(0, 12), stored.AsSpan(12, 32), stored.AsSpan(44, 16), key, Encoding.UTF8.GetBytes(sessionId));
            if (entry.Expiry is { } expiry)
            {
                Remember(sessionId, key, expiry);
            }
            return key;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private void Remember(string sessionId, byte[] key, TimeSpan lifetime)
    {
        if (_opened.Count >= OpenedKeysCapacity)
        {
            var now = DateTime.UtcNow;
            foreach (var (id, old) in _opened)
            {
                if (old.ExpiresAt <= now)
                {
                    _opened.TryRemove(id, out _);
                }
            }
            if (_opened.Count >= OpenedKeysCapacity)
            {
                _opened.Clear();
            }
        }
        _opened[sessionId] = new OpenedKey(key, DateTime.UtcNow + lifetime);
    }

    /// <summary>Marks a JWE as seen; false when some replica saw it before.</summary>
    public Task<bool> TryMarkSeenAsync(string fingerprint, TimeSpan keepFor) =>
        _redis.GetDatabase().StringSetAsync(SeenKey(fingerprint), "1", keepFor, When.NotExists);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Gateway:Encryption:MasterKey configured; encryption sessions are local to this process")]
    private static partial void LogNoMasterKey(ILogger logger);
}
