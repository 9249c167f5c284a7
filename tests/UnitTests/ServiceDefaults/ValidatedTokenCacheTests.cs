using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using UnitTests.Support;

namespace UnitTests.ServiceDefaults;

/// <summary>
/// The validated-token cache against real ES256 tokens validated by the framework's handler: a hit only for the
/// same token, before its exp, while its signing key (same object, or same kid and thumbprint) is in the set.
/// </summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly ECDsaSecurityKey _key = TestTokens.NewKey();
    private readonly ManualClock _clock = new() { Now = Now };

    [Fact]
    public async Task AValidatedTokenIsAHitWhileItsKeyIsInTheSet()
    {
        var cache = new ValidatedTokenCache(_clock);
        var token = Sign(_key, Now.AddMinutes(15));
        cache.Add(token, await ValidateAsync(token, _key));

        Assert.True(cache.TryGet(token, [_key], out var hit));
        Assert.True(hit.IsValid);
        Assert.Equal("user-1", hit.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.False(cache.TryGet(token + "x", [_key], out _));
    }

    [Fact]
    public async Task ATokenPastItsExpIsNoLongerAHit()
    {
        var cache = new ValidatedTokenCache(_clock);
        var token = Sign(_key, Now.AddMinutes(1));
        cache.Add(token, await ValidateAsync(token, _key));

        _clock.Now = Now.AddMinutes(1).AddSeconds(1);

        Assert.False(cache.TryGet(token, [_key], out _));
    }

    [Fact]
    public async Task ATokenWhoseKeyLeftTheSetIsNoLongerAHit()
    {
        var cache = new ValidatedTokenCache(_clock);
        var token = Sign(_key, Now.AddMinutes(15));
        cache.Add(token, await ValidateAsync(token, _key));
        var other = TestTokens.NewKey();

        Assert.False(cache.TryGet(token, [other], out _));
        Assert.False(cache.TryGet(token, [], out _));
    }

    [Fact]
    public async Task TheSameKeyReadAgainFromTheJwkSetStillCounts()
    {
        var cache = new ValidatedTokenCache(_clock);
        var token = Sign(_key, Now.AddMinutes(15));
        cache.Add(token, await ValidateAsync(token, _key));
        var reread = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(_key);
        reread.KeyId = "k1";

        Assert.True(cache.TryGet(token, [reread], out _));
    }

    [Fact]
    public async Task AHitIsACopyThatARequestCannotChangeForTheNext()
    {
        var cache = new ValidatedTokenCache(_clock);
        var token = Sign(_key, Now.AddMinutes(15));
        cache.Add(token, await ValidateAsync(token, _key));

        cache.TryGet(token, [_key], out var first);
        first.ClaimsIdentity.AddClaim(new System.Security.Claims.Claim("role", "admin"));
        cache.TryGet(token, [_key], out var second);

        Assert.Null(second.ClaimsIdentity.FindFirst("role"));
    }

    private static string Sign(SecurityKey key, DateTimeOffset expires) => TestTokens.Sign(key, Now, expires);

    private static Task<TokenValidationResult> ValidateAsync(string token, SecurityKey key) =>
        new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "iss",
            ValidAudience = "aud",
            IssuerSigningKey = key,
            ValidateLifetime = false,
        });

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
