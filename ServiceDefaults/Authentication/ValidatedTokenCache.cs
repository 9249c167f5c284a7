using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Tokens this process has already validated, keyed by the exact token text, so that a token's ES256
/// signature is checked once per process rather than once per request. An entry is used only before the
/// token's <c>exp</c> and only while the key that signed it is still in the current JWK set; past either,
/// the token goes through full validation again. Bounded: when full, expired entries go, then everything.
/// </summary>
public sealed class ValidatedTokenCache(TimeProvider clock)
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public bool TryGet(string token, IEnumerable<SecurityKey> currentKeys, out TokenValidationResult result)
    {
        result = null!;
        if (!_entries.TryGetValue(token, out var entry))
        {
            return false;
        }
        if (entry.ExpiresAt <= clock.GetUtcNow() || !SigningKeys.Contains(currentKeys, entry.SigningKey))
        {
            _entries.TryRemove(token, out _);
            return false;
        }
        result = new TokenValidationResult
        {
            IsValid = true,
            // A copy: whatever a request adds to its identity stays with that request.
            ClaimsIdentity = entry.Identity.Clone(),
            SecurityToken = entry.Token,
            TokenType = entry.Token.Typ,
            Issuer = entry.Token.Issuer,
        };
        return true;
    }

    public void Add(string token, TokenValidationResult result)
    {
        if (!result.IsValid || result.SecurityToken is not JsonWebToken { SigningKey: { } key } jwt || result.ClaimsIdentity is null)
        {
            return;
        }
        if (_entries.Count >= Capacity)
        {
            var now = clock.GetUtcNow();
            foreach (var (stale, old) in _entries)
            {
                if (old.ExpiresAt <= now)
                {
                    _entries.TryRemove(stale, out _);
                }
            }
            if (_entries.Count >= Capacity)
            {
                _entries.Clear();
            }
        }
        _entries[token] = new Entry(result.ClaimsIdentity.Clone(), jwt, key, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    private sealed record Entry(ClaimsIdentity Identity, JsonWebToken Token, SecurityKey SigningKey, DateTimeOffset ExpiresAt);

    /// <summary>
    /// "Still in the JWK set": the same key object, or (after a refresh re-read the set) a key with the same
    /// <c>kid</c> and the same RFC 7638 thumbprint. Thumbprints are computed once per key object.
    /// </summary>
    private static class SigningKeys
    {
        private static readonly ConditionalWeakTable<SecurityKey, string> Thumbprints = new();

        public static bool Contains(IEnumerable<SecurityKey> keys, SecurityKey signingKey)
        {
            foreach (var key in keys)
            {
                if (ReferenceEquals(key, signingKey))
                {
                    return true;
                }
            }
            var wanted = Thumbprint(signingKey);
            foreach (var key in keys)
            {
                if (key.KeyId == signingKey.KeyId && wanted is not null && Thumbprint(key) == wanted)
                {
                    return true;
                }
            }
            return false;
        }

        private static string? Thumbprint(SecurityKey key) =>
            key.CanComputeJwkThumbprint()
                ? Thumbprints.GetValue(key, k => Convert.ToBase64String(k.ComputeJwkThumbprint()))
                : null;
    }
}

/// <summary>
/// The framework's JWT handler with <see cref="ValidatedTokenCache"/> in front of it. Where no signing keys can be had
/// (the JWK set unreachable and none cached), the result says so with a <see cref="DependencyUnavailableException"/>:
/// the framework would go on without keys and call the token's signature unknown, i.e. an invalid token (401).
/// </summary>
internal sealed class CachingJsonWebTokenHandler(ValidatedTokenCache cache) : JsonWebTokenHandler
{
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        IEnumerable<SecurityKey> keys;
        try
        {
            keys = await CurrentKeysAsync(validationParameters);
        }
        catch (Exception e) when (DependencyFailure.IsUnavailable(e))
        {
            return new TokenValidationResult { IsValid = false, Exception = e as DependencyUnavailableException ?? new DependencyUnavailableException(JwksRetriever.Dependency, e) };
        }
        if (cache.TryGet(token, keys, out var cached))
        {
            return cached;
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        cache.Add(token, result);
        return result;
    }

    /// <summary>The keys the base handler will use: the configuration manager's current set, plus any given directly.</summary>
    private static async Task<IEnumerable<SecurityKey>> CurrentKeysAsync(TokenValidationParameters parameters)
    {
        IEnumerable<SecurityKey> keys = parameters.IssuerSigningKeys ?? [];
        if (parameters.ConfigurationManager is { } manager)
        {
            var configuration = await manager.GetBaseConfigurationAsync(CancellationToken.None);
            keys = keys.Concat(configuration.SigningKeys);
        }
        return keys;
    }
}
