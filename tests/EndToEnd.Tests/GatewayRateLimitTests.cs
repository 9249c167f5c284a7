using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests;

/// <summary>
/// Contract §5 rate limits through the real gateway replicas: each tier's limit and key, the 429 answer, forged
/// X-Forwarded-For, and one budget shared by both replicas (the counters live in Redis). Each test acts as its
/// own client addresses (127.x), so tests never share budgets.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public partial class GatewayRateLimitTests(DistributedAppFixture fixture)
{
    private static readonly object BadLogin = new { email = "nobody@example.test", password = "wrong password" };

    [Fact]
    public async Task AuthTierAllowsFiveCallsPerMinutePerIpThenAnswers429WithRetryAfter()
    {
        using var client = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        for (var i = 1; i <= 5; i++)
        {
            var allowed = await client.PostAsJsonAsync("/api/auth/login", BadLogin);
            Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
            Assert.Equal("\"auth\";q=5;w=60", allowed.Headers.GetValues("RateLimit-Policy").Single());
            Assert.Matches($"^\"auth\";r={5 - i};t=\\d+$", allowed.Headers.GetValues("RateLimit").Single());
        }

        var limited = await client.PostAsJsonAsync("/api/auth/login", BadLogin);

        await Problems.ExpectAsync(limited, HttpStatusCode.TooManyRequests);
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        Assert.Matches("^\"auth\";r=0;t=\\d+$", limited.Headers.GetValues("RateLimit").Single());

        using var otherClient = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        Assert.Equal(HttpStatusCode.Unauthorized, (await otherClient.PostAsJsonAsync("/api/auth/login", BadLogin)).StatusCode);
    }

    [Fact]
    public async Task EveryAuthCallCountsAgainstTheSameBudget()
    {
        using var client = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        string[] paths = ["/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/register", "/api/auth/refresh"];
        foreach (var path in paths)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync(path, new { })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync("/api/auth/logout", new { })).StatusCode);
    }

    [Fact]
    public async Task AForgedXForwardedForDoesNotGiveAClientNewAddresses()
    {
        using var client = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(BadLogin) };
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            var response = await client.SendAsync(request);

            Assert.Equal(i < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, response.StatusCode);
        }
    }

    [Fact]
    public async Task BehindATrustedProxyTheForwardedAddressIsTheKey()
    {
        using var proxy = fixture.GatewayReplica(1, System.Net.IPAddress.Parse(DistributedAppFixture.TrustedProxyAddress));
        var client = $"198.51.100.{Random.Shared.Next(1, 250)}";
        for (var i = 0; i < 6; i++)
        {
            var response = await proxy.SendAsync(LoginForwardedFor(client));
            Assert.Equal(i < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, response.StatusCode);
        }

        // Another client behind the same proxy has its own budget.
        Assert.Equal(HttpStatusCode.Unauthorized, (await proxy.SendAsync(LoginForwardedFor(client.Replace("198.51.100.", "198.51.101.", StringComparison.Ordinal)))).StatusCode);
    }

    private static HttpRequestMessage LoginForwardedFor(string address)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(BadLogin) };
        request.Headers.Add("X-Forwarded-For", address);
        return request;
    }

    [Fact]
    public async Task BothGatewayReplicasShareOneBudget()
    {
        var address = GatewayClients.UniqueLoopbackAddress();
        using var first = fixture.GatewayReplica(0, address);
        using var second = fixture.GatewayReplica(1, address);
        for (var i = 0; i < 5; i++)
        {
            var response = await (i % 2 == 0 ? first : second).PostAsJsonAsync("/api/auth/login", BadLogin);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await first.PostAsJsonAsync("/api/auth/login", BadLogin)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await second.PostAsJsonAsync("/api/auth/login", BadLogin)).StatusCode);
    }

    [Fact]
    public async Task PublicTierAllows300CallsPerMinutePerIp()
    {
        using var client = fixture.GatewayReplica(1, GatewayClients.UniqueLoopbackAddress());
        for (var i = 0; i < 300; i++)
        {
            var response = await client.GetAsync(i % 2 == 0 ? "/.well-known/jwks.json" : "/api/users?search=x");
            Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
        }

        var limited = await client.GetAsync("/.well-known/openid-configuration");

        await Problems.ExpectAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Equal("\"public\";q=300;w=60", limited.Headers.GetValues("RateLimit-Policy").Single());
    }

    [Fact]
    public async Task ApiTierWithoutAValidTokenIs401AtTheGatewayAndCountsPerIp()
    {
        using var client = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        for (var i = 0; i < 100; i++)
        {
            var response = await client.GetAsync("/api/users/me");
            await Problems.ExpectAsync(response, HttpStatusCode.Unauthorized);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/users/me")).StatusCode);
    }

    [Fact]
    public async Task ApiTierCountsPerUserWhicheverAddressOrReplicaTheCallsComeFrom()
    {
        var account = await Accounts.CreateAsync(fixture.Gateway);
        using var first = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        using var second = fixture.GatewayReplica(1, GatewayClients.UniqueLoopbackAddress());
        for (var i = 0; i < 100; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me").WithBearer(account.AccessToken);
            var response = await (i % 2 == 0 ? first : second).SendAsync(request);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var third = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        using var limited = new HttpRequestMessage(HttpMethod.Get, "/api/users/me").WithBearer(account.AccessToken);
        var answer = await third.SendAsync(limited);
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.Matches(ApiPolicy(), answer.Headers.GetValues("RateLimit-Policy").Single());

        // The same address without a token is another key (its IP), so it is not limited.
        Assert.Equal(HttpStatusCode.Unauthorized, (await third.GetAsync("/api/users/me")).StatusCode);
    }

    [Theory]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiIxIn0.")]
    public async Task AnInvalidBearerTokenIsRejectedAtTheGateway(string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await fixture.Gateway.SendAsync(request);

        await Problems.ExpectAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task AWebSocketUpgradeWithAnInvalidAccessTokenIs401()
    {
        var response = await fixture.Gateway.GetAsync("/ws?access_token=not-a-jwt");

        await Problems.ExpectAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AWebSocketUpgradeWithoutAccessTokenIsPassedOnAndCountedPerIp()
    {
        using var client = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());

        var first = await client.GetAsync("/ws");
        var second = await client.GetAsync("/ws");

        Assert.NotEqual(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Matches("^\"api\";r=99;t=\\d+$", first.Headers.GetValues("RateLimit").Single());
        Assert.Matches("^\"api\";r=98;t=\\d+$", second.Headers.GetValues("RateLimit").Single());
    }

    [Fact]
    public async Task AWebSocketUpgradeWithAValidAccessTokenIsPassedOnAndCountedPerUser()
    {
        var account = await Accounts.CreateAsync(fixture.Gateway);

        var response = await fixture.Gateway.GetAsync($"/ws?access_token={account.AccessToken}");
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/users/me").WithBearer(account.AccessToken);
        var sameUser = await fixture.Gateway.SendAsync(me);

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Matches("^\"api\";r=99;t=\\d+$", response.Headers.GetValues("RateLimit").Single());
        // A different address, the same user: the same budget.
        Assert.Matches("^\"api\";r=98;t=\\d+$", sameUser.Headers.GetValues("RateLimit").Single());
    }

    [Fact]
    public async Task AfterLogoutTheAccessTokenIsRejectedAtTheGateway()
    {
        var account = await Accounts.CreateAsync(fixture.Gateway);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout")
        {
            Content = JsonContent.Create(new { refreshToken = account.RefreshToken }),
        }.WithBearer(account.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Gateway.SendAsync(logout)).StatusCode);

        // Revocation is pushed to every gateway replica: rejected within the contract's second.
        Task<HttpResponseMessage> GetMe() => fixture.Gateway.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/users/me").WithBearer(account.AccessToken));
        await Poll.UntilAsync(async () => (await GetMe()).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5), "rejection after logout");

        await Problems.ExpectAsync(await GetMe(), HttpStatusCode.Unauthorized);
    }

    [GeneratedRegex("^\"api\";q=100;w=60$")]
    private static partial Regex ApiPolicy();
}
