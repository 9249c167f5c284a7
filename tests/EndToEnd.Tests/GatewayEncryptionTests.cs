using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Contract §5.1 through the real gateway replicas: handshake, encrypted requests and responses, every rejection.</summary>
[Collection(DistributedAppCollection.Name)]
public class GatewayEncryptionTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task TheHandshakeAnswers201WithTheServersPointAndExpiry()
    {
        var session = await GatewayJweClient.StartAsync(fixture.Gateway);

        Assert.False(string.IsNullOrEmpty(session.SessionId));
        Assert.Equal(65, GatewayJweClient.FromB64(session.Handshake.GetProperty("publicKey").GetString()!).Length);
        var expiresAt = session.Handshake.GetProperty("expiresAt").GetString()!;
        Assert.EndsWith("Z", expiresAt);
        Assert.True(DateTimeOffset.Parse(expiresAt, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
    }

    public static TheoryData<string> BadPoints() => new()
    {
        "not base64url!",
        GatewayJweClient.B64(new byte[64]),
        GatewayJweClient.B64([0x02, .. new byte[32]]),
        // x = 1, y = 1 is not on P-256.
        GatewayJweClient.B64([0x04, .. new byte[31], 1, .. new byte[31], 1]),
        GatewayJweClient.B64([0x04, .. new byte[64]]),
    };

    [Theory]
    [MemberData(nameof(BadPoints))]
    public async Task AMalformedOrOffCurvePointIs400(string publicKey)
    {
        var response = await fixture.Gateway.PostAsJsonAsync("/api/session", new { publicKey });

        await Problems.ExpectAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnEncryptedRequestReachesTheServiceAsPlainJsonAndTheAnswerComesBackEncrypted()
    {
        var session = await GatewayJweClient.StartAsync(fixture.Gateway);
        var registration = Accounts.NewRegistration();
        using var request = session.EncryptedRequest(HttpMethod.Post, "/api/auth/register", registration);
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");

        var response = await fixture.GatewayReplica(1, GatewayClients.UniqueLoopbackAddress()).SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var (header, plaintext) = await session.DecryptAsync(response);
        Assert.Equal(201, header.GetProperty("status").GetInt32());
        Assert.Equal("application/json", header.GetProperty("cty").GetString()!.Split(';')[0]);
        Assert.Equal("POST", header.GetProperty("htm").GetString());
        Assert.Equal("/api/auth/register", header.GetProperty("htu").GetString());
        Assert.InRange(header.GetProperty("iat").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300);
        var body = JsonDocument.Parse(plaintext).RootElement;
        Assert.Equal(JsonSerializer.SerializeToElement(registration).GetProperty("email").GetString(), body.GetProperty("email").GetString());
    }

    [Fact]
    public async Task ASessionHeaderEncryptsThePlainRequestsResponseOnEitherReplica()
    {
        var session = await GatewayJweClient.StartAsync(fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress()));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration?x=1");
        request.Headers.Add("X-Session-Id", session.SessionId);
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");

        var response = await fixture.GatewayReplica(1, GatewayClients.UniqueLoopbackAddress()).SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (header, plaintext) = await session.DecryptAsync(response);
        Assert.Equal(200, header.GetProperty("status").GetInt32());
        Assert.Equal("GET", header.GetProperty("htm").GetString());
        Assert.Equal("/.well-known/openid-configuration?x=1", header.GetProperty("htu").GetString());
        Assert.True(JsonDocument.Parse(plaintext).RootElement.TryGetProperty("jwks_uri", out _));
    }

    public enum Tampering { Tag, Method, Path, Query, StaleIat, FutureIat, OtherSessionsKey }

    [Theory]
    [InlineData(Tampering.Tag)]
    [InlineData(Tampering.Method)]
    [InlineData(Tampering.Path)]
    [InlineData(Tampering.Query)]
    [InlineData(Tampering.StaleIat)]
    [InlineData(Tampering.FutureIat)]
    [InlineData(Tampering.OtherSessionsKey)]
    public async Task ARejectedJweIs400AndNothingIsForwarded(Tampering tampering)
    {
        var session = await GatewayJweClient.StartAsync(fixture.Gateway);
        var registration = Accounts.NewRegistration();
        var plaintext = JsonSerializer.Serialize(registration);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var jwe = tampering switch
        {
            Tampering.Tag => FlipTag(session.Encrypt("POST", "/api/auth/register", "application/json", plaintext)),
            Tampering.Method => session.Encrypt("PUT", "/api/auth/register", "application/json", plaintext),
            Tampering.Path => session.Encrypt("POST", "/api/auth/login", "application/json", plaintext),
            Tampering.Query => session.Encrypt("POST", "/api/auth/register?a=b", "application/json", plaintext),
            Tampering.StaleIat => session.Encrypt("POST", "/api/auth/register", "application/json", plaintext, iat: now - 301),
            Tampering.FutureIat => session.Encrypt("POST", "/api/auth/register", "application/json", plaintext, iat: now + 301),
            _ => session.Encrypt("POST", "/api/auth/register", "application/json", plaintext, key: new byte[32]),
        };

        var response = await fixture.Gateway.PostAsync("/api/auth/register", GatewayJweClient.Jose(jwe));

        await Problems.ExpectAsync(response, HttpStatusCode.BadRequest);
        // Nothing reached the identity service: the same registration in plain still succeeds.
        Assert.Equal(HttpStatusCode.Created, (await fixture.Gateway.PostAsJsonAsync("/api/auth/register", registration)).StatusCode);
    }

    [Fact]
    public async Task AReplayedJweIs400OnAnyReplica()
    {
        var session = await GatewayJweClient.StartAsync(fixture.Gateway);
        var jwe = session.Encrypt("GET", "/.well-known/jwks.json", "application/json", "{}");
        using var first = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        using var second = fixture.GatewayReplica(1, GatewayClients.UniqueLoopbackAddress());

        Assert.Equal(HttpStatusCode.OK, (await first.SendAsync(JoseRequest(HttpMethod.Get, "/.well-known/jwks.json", jwe))).StatusCode);
        var replay = await second.SendAsync(JoseRequest(HttpMethod.Get, "/.well-known/jwks.json", jwe));

        await Problems.ExpectAsync(replay, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnUnknownSessionIs401()
    {
        var session = await GatewayJweClient.StartAsync(fixture.Gateway);
        var jwe = session.Encrypt("POST", "/api/auth/login", "application/json", "{}", kid: "no-such-session");

        await Problems.ExpectAsync(await fixture.Gateway.PostAsync("/api/auth/login", GatewayJweClient.Jose(jwe)), HttpStatusCode.Unauthorized);

        using var plain = new HttpRequestMessage(HttpMethod.Get, "/.well-known/jwks.json");
        plain.Headers.Add("X-Session-Id", "no-such-session");
        await Problems.ExpectAsync(await fixture.Gateway.SendAsync(plain), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheSessionKeyIsNotStoredInPlainText()
    {
        var session = await GatewayJweClient.StartAsync(fixture.Gateway);

        var stored = await Stores.RedisGetAsync(fixture, $"gateway-session:{session.SessionId}");

        Assert.NotNull(stored);
        Assert.Equal(-1, stored.AsSpan().IndexOf(session.Key));
        Assert.DoesNotContain(GatewayJweClient.B64(session.Key), System.Text.Encoding.Latin1.GetString(stored));
        Assert.DoesNotContain(Convert.ToBase64String(session.Key), System.Text.Encoding.Latin1.GetString(stored));
    }

    private static HttpRequestMessage JoseRequest(HttpMethod method, string target, string jwe) =>
        new(method, target) { Content = GatewayJweClient.Jose(jwe) };

    /// <summary>Changes the first character of the tag (not the last, whose low bits are only padding).</summary>
    private static string FlipTag(string jwe)
    {
        var parts = jwe.Split('.');
        parts[4] = (parts[4][0] == 'A' ? "B" : "A") + parts[4][1..];
        return string.Join('.', parts);
    }
}
