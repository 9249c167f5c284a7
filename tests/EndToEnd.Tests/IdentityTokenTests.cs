using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AppHost;
using Aspire.Hosting.ApplicationModel;
using Jose;
using Microsoft.Extensions.DependencyInjection;

namespace EndToEnd.Tests;

/// <summary>
/// Access tokens as contract §2 defines them, and every forgery of the issue rejected with 401. Forged
/// tokens are presented to <c>POST /api/auth/logout</c>, which requires a valid bearer token.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class IdentityTokenTests(DistributedAppFixture fixture)
{
    private HttpClient Gateway => fixture.Gateway;

    [Fact]
    public async Task TheAccessTokenIsAnEs256AtJwtWithTheContractsClaims()
    {
        var user = await Accounts.CreateAsync(Gateway);
        var tokens = user.Tokens;
        var jwks = await JwksAsync();

        var header = Tokens.Part(tokens.AccessToken, 0);
        var payload = Tokens.Part(tokens.AccessToken, 1);

        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Contains(jwks.GetProperty("keys").EnumerateArray(), k => k.GetProperty("kid").GetString() == header.GetProperty("kid").GetString());
        var issuer = (await Gateway.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration")).GetProperty("issuer").GetString();
        Assert.Equal(issuer, payload.GetProperty("iss").GetString());
        Assert.Equal("distributed-api", payload.GetProperty("aud").GetString());
        Assert.Equal(user.Id.ToString(), payload.GetProperty("sub").GetString());
        Assert.True(Guid.TryParse(payload.GetProperty("sid").GetString(), out _));
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("jti").GetString()));
        Assert.Equal(900, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task TheJwkSetPublishesOnlyPublicP256Keys()
    {
        var keys = (await JwksAsync()).GetProperty("keys").EnumerateArray().ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Equal("EC", key.GetProperty("kty").GetString());
            Assert.Equal("P-256", key.GetProperty("crv").GetString());
            Assert.Equal("ES256", key.GetProperty("alg").GetString());
            Assert.False(key.TryGetProperty("d", out _));
        });
    }

    [Fact]
    public async Task AnIndependentJoseLibraryVerifiesTheTokenWithOnlyThePublishedJwkSet()
    {
        var user = await Accounts.CreateAsync(Gateway);
        var tokens = user.Tokens;
        var jwksJson = await Gateway.GetStringAsync("/.well-known/jwks.json");
        var kid = Tokens.Part(tokens.AccessToken, 0).GetProperty("kid").GetString();

        var key = JwkSet.FromJson(jwksJson, JWT.DefaultSettings.JsonMapper).Single(k => k.KeyId == kid);
        var payload = JWT.Decode(tokens.AccessToken, key, JwsAlgorithm.ES256);

        Assert.Equal(user.Id.ToString(), JsonDocument.Parse(payload).RootElement.GetProperty("sub").GetString());
        var tampered = Forge.Tamper(tokens.AccessToken, p => p["sub"] = Guid.NewGuid().ToString());
        Assert.ThrowsAny<JoseException>(() => JWT.Decode(tampered, key, JwsAlgorithm.ES256));
    }

    [Fact]
    public async Task ATokenSignedWithTheRealKeyAndRightClaimsIsAccepted()
    {
        // The control for the forgeries below: only the one thing each of them changes makes it fail.
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;
        var forge = await ForgeAsync(tokens);

        var response = await Accounts.LogoutAsync(Gateway, forge.Sign(), tokens.RefreshToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public static TheoryData<string> Forgeries => new()
    {
        "alg none", "HS256 with the public key", "wrong iss", "wrong aud", "wrong typ", "no typ",
        "expired beyond skew", "tampered payload", "unknown kid", "signed by another key under the real kid", "no sid",
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task AForgedTokenIs401(string forgery)
    {
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;
        var forge = await ForgeAsync(tokens);
        var token = forgery switch
        {
            "alg none" => forge.Unsigned(),
            "HS256 with the public key" => forge.Hs256WithPublicKey(),
            "wrong iss" => forge.Sign(payload: p => p["iss"] = "http://evil.example"),
            "wrong aud" => forge.Sign(payload: p => p["aud"] = "another-api"),
            "wrong typ" => forge.Sign(header: h => h["typ"] = "JWT"),
            "no typ" => forge.Sign(header: h => h.Remove("typ")),
            "expired beyond skew" => forge.Sign(payload: p =>
            {
                p["iat"] = DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeSeconds();
                p["exp"] = DateTimeOffset.UtcNow.AddSeconds(-45).ToUnixTimeSeconds();
            }),
            "tampered payload" => Forge.Tamper(tokens.AccessToken, p => p["sub"] = Guid.NewGuid().ToString()),
            "unknown kid" => forge.SignWithOtherKey("not-a-published-kid"),
            "signed by another key under the real kid" => forge.SignWithOtherKey(null),
            "no sid" => forge.Sign(payload: p => p.Remove("sid")),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };

        var response = await Accounts.LogoutAsync(Gateway, token, tokens.RefreshToken);

        await Problems.ExpectAsync(response, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        // Nothing was logged out: the real session goes on.
        Assert.Equal(HttpStatusCode.OK, (await Accounts.RefreshAsync(Gateway, tokens.RefreshToken)).StatusCode);
    }

    private async Task<JsonElement> JwksAsync()
    {
        var response = await Gateway.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A forger holding the AppHost's development key (read from the identity service's environment).</summary>
    private async Task<Forge> ForgeAsync(Tokens tokens)
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var identity = model.Resources.OfType<ProjectResource>().Single(r => r.Name == ResourceNames.IdentityService);
#pragma warning disable CS0618 // The replacement API is not settled in Aspire 13; this one still reads the resolved values.
        var environment = await identity.GetEnvironmentVariableValuesAsync();
#pragma warning restore CS0618
        var key = ECDsa.Create();
        key.ImportFromPem(environment["Jwt__SigningKeys__0__Pem"]);
        return new Forge(key, environment["Jwt__SigningKeys__0__Kid"], tokens.AccessToken);
    }
}

/// <summary>Builds JWTs by hand, so that each forgery changes exactly one thing of a real token.</summary>
internal sealed class Forge(ECDsa realKey, string realKid, string realToken)
{
    public string Sign(Action<Dictionary<string, object?>>? header = null, Action<Dictionary<string, object?>>? payload = null) =>
        SignWith(realKey, realKid, header, payload);

    public string SignWithOtherKey(string? kid)
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return SignWith(other, kid ?? realKid, null, null);
    }

    public string Unsigned()
    {
        var (header, payload) = Parts();
        header["alg"] = "none";
        return $"{Encode(header)}.{Encode(payload)}.";
    }

    public string Hs256WithPublicKey()
    {
        var (header, payload) = Parts();
        header["alg"] = "HS256";
        var input = $"{Encode(header)}.{Encode(payload)}";
        var secret = Encoding.UTF8.GetBytes(realKey.ExportSubjectPublicKeyInfoPem());
        return $"{input}.{Base64Url(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)))}";
    }

    public static string Tamper(string token, Action<Dictionary<string, object?>> change)
    {
        var parts = token.Split('.');
        var payload = Decode(parts[1]);
        change(payload);
        return $"{parts[0]}.{Encode(payload)}.{parts[2]}";
    }

    private string SignWith(ECDsa key, string kid, Action<Dictionary<string, object?>>? changeHeader, Action<Dictionary<string, object?>>? changePayload)
    {
        var (header, payload) = Parts();
        header["kid"] = kid;
        payload["jti"] = Guid.NewGuid().ToString();
        changeHeader?.Invoke(header);
        changePayload?.Invoke(payload);
        var input = $"{Encode(header)}.{Encode(payload)}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{input}.{Base64Url(signature)}";
    }

    private (Dictionary<string, object?> Header, Dictionary<string, object?> Payload) Parts()
    {
        var parts = realToken.Split('.');
        return (Decode(parts[0]), Decode(parts[1]));
    }

    private static Dictionary<string, object?> Decode(string part)
    {
        var text = part.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Convert.FromBase64String(text))!
            .ToDictionary(p => p.Key, p => (object?)p.Value);
    }

    private static string Encode(Dictionary<string, object?> json) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(json));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
