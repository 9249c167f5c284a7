using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AppHost;

namespace EndToEnd.Tests;

/// <summary>
/// Contract §5.1 step 6 with the switch on: a third gateway process started with <c>Gateway:Encryption:Required=true</c>
/// against the fixture's own services and Redis (the shared replicas keep the development default, off).
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class GatewayMandatoryEncryptionTests(DistributedAppFixture fixture) : IAsyncLifetime
{
    private Process? _gateway;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort();
        var projectDirectory = Path.GetDirectoryName(new Projects.Gateway().ProjectPath)!;
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(projectDirectory, "bin", configuration, "net10.0", "Gateway.dll"));
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__redis"] = await fixture.ConnectionStringAsync(ResourceNames.Redis);
        foreach (var service in new[] { ResourceNames.IdentityService, ResourceNames.UserService, ResourceNames.RealtimeService })
        {
            start.Environment[$"services__{service}__http__0"] = fixture.App.GetEndpoint(service, "http").ToString();
        }
        start.Environment["Jwt__Issuer"] = $"http://localhost:{fixture.GatewayPort}";
        start.Environment["Jwt__Audience"] = "distributed-api";
        start.Environment["Gateway__Encryption__Required"] = "true";
        _gateway = Process.Start(start)!;
        _gateway.OutputDataReceived += (_, _) => { };
        _gateway.ErrorDataReceived += (_, _) => { };
        _gateway.BeginOutputReadLine();
        _gateway.BeginErrorReadLine();

        _client = GatewayClients.Create(new Uri($"http://127.0.0.1:{port}"), GatewayClients.FreshAddressPerRequest);
        for (var attempt = 0; attempt < 120; attempt++)
        {
            try
            {
                if ((await _client.GetAsync("/alive")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(500);
        }
        throw new InvalidOperationException("The mandatory-encryption gateway did not start.");
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        if (_gateway is { HasExited: false })
        {
            _gateway.Kill();
            _gateway.WaitForExit(10_000);
        }
        _gateway?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task APlainBodyIs400AndNotForwarded()
    {
        var email = $"gw-plain-{Guid.NewGuid():N}@example.test";
        var response = await _client.PostAsJsonAsync("/api/auth/register", new { email, password = "correct horse battery", displayName = "Plain" });

        await GatewayRoutingTests.AssertProblem(response, HttpStatusCode.BadRequest);
        var session = await GatewayJweClient.StartAsync(_client);
        using var login = session.EncryptedRequest(HttpMethod.Post, "/api/auth/login", new { email, password = "correct horse battery" });
        var (header, _) = await session.DecryptAsync(await _client.SendAsync(login));
        Assert.Equal(401, header.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task APlainApiCallWithoutASessionIs400()
    {
        await GatewayRoutingTests.AssertProblem(await _client.GetAsync("/api/users?search=a"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EncryptedCallsAndTheHandshakeStillWork()
    {
        var session = await GatewayJweClient.StartAsync(_client);
        using var register = session.EncryptedRequest(HttpMethod.Post, "/api/auth/register", GatewayTestSupport.NewRegistration());

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

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
