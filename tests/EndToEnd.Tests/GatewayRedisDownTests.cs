using System.Net;
using System.Net.Http.Json;

namespace EndToEnd.Tests;

/// <summary>
/// Redis unreachable (README, "Redis down"): a gateway process whose Redis address answers nothing keeps routing,
/// keeps limiting (in its own memory, per replica), and answers the encryption handshake with 503 rather than
/// pretending to keep a session it cannot share.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class GatewayRedisDownTests(DistributedAppFixture fixture) : IAsyncLifetime
{
    private GatewayProcess? _gateway;

    public async Task InitializeAsync() => _gateway = await GatewayProcess.StartAsync(fixture, new Dictionary<string, string>(),
        redis: $"127.0.0.1:{GatewayProcess.FreePort()},abortConnect=false,connectTimeout=500");

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task RoutesStillAnswerAndLimitsStillHoldPerReplica()
    {
        using var client = _gateway!.CreateClient(GatewayClients.UniqueLoopbackAddress());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/.well-known/openid-configuration")).StatusCode);
        // Readiness stays 200 (Degraded): a Redis outage must not take the gateway out of rotation.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        var bad = new { email = "nobody@example.test", password = "wrong password" };
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/login", bad)).StatusCode);
        }
        var limited = await client.PostAsJsonAsync("/api/auth/login", bad);

        await Problems.ExpectAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task TheHandshakeIs503WithoutASharedSessionStore()
    {
        using var client = _gateway!.CreateClient();
        using var key = System.Security.Cryptography.ECDiffieHellman.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;

        var response = await client.PostAsJsonAsync("/api/session", new { publicKey = GatewayJweClient.B64([0x04, .. q.X!, .. q.Y!]) });

        await Problems.ExpectAsync(response, HttpStatusCode.ServiceUnavailable);
    }
}
