using System.Net;
using System.Net.Http.Json;

namespace EndToEnd.Tests;

/// <summary>
/// Contract §5.1 step 6 with the switch on: a third gateway process started with <c>Gateway:Encryption:Required=true</c>
/// against the fixture's own services and Redis (the shared replicas keep the development default, off).
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class GatewayMandatoryEncryptionTests(DistributedAppFixture fixture) : IAsyncLifetime
{
    private GatewayProcess? _gateway;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayProcess.StartAsync(fixture, new Dictionary<string, string> { ["Gateway__Encryption__Required"] = "true" });
        _client = _gateway.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task APlainBodyIs400AndNotForwarded()
    {
        var email = $"gw-plain-{Guid.NewGuid():N}@example.test";
        var response = await _client.PostAsJsonAsync("/api/auth/register", new { email, password = "correct horse battery", displayName = "Plain" });

        await Problems.ExpectAsync(response, HttpStatusCode.BadRequest);
        var session = await GatewayJweClient.StartAsync(_client);
        using var login = session.EncryptedRequest(HttpMethod.Post, "/api/auth/login", new { email, password = "correct horse battery" });
        var (header, _) = await session.DecryptAsync(await _client.SendAsync(login));
        Assert.Equal(401, header.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task APlainApiCallWithoutASessionIs400()
    {
        await Problems.ExpectAsync(await _client.GetAsync("/api/users?search=a"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EncryptedCallsAndTheHandshakeStillWork()
    {
        var session = await GatewayJweClient.StartAsync(_client);
        using var register = session.EncryptedRequest(HttpMethod.Post, "/api/auth/register", Accounts.NewRegistration());

        var response = await _client.SendAsync(register);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var (header, _) = await session.DecryptAsync(response);
        Assert.Equal(201, header.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task ABodilessCallNamingItsSessionGetsAnEncryptedAnswer()
    {
        var session = await GatewayJweClient.StartAsync(_client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users?search=a");
        request.Headers.Add("X-Session-Id", session.SessionId);

        var response = await _client.SendAsync(request);

        var (header, _) = await session.DecryptAsync(response);
        Assert.Equal((int)response.StatusCode, header.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task RoutesOutsideApiStayPlain()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/.well-known/jwks.json")).StatusCode);
    }
}
