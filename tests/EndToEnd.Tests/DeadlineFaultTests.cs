using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AppHost;
using Xunit.Abstractions;
using static EndToEnd.Tests.Requests;

namespace EndToEnd.Tests;

/// <summary>
/// Issue 10 items 1–3 through the gateway with PostgreSQL frozen (SIGSTOP to the postmaster and its backends) and
/// stopped (SIGINT, the fast shutdown): what needs the database answers 503 + Retry-After in the problem shape
/// (never a 500, never a hang: the client gives up after <see cref="ClientTimeout"/>), the cached profile is still
/// served, readiness of the identity and user services says 503 with the reason, and once the database is back
/// the same calls succeed without a restart. And what the deadline must not touch: a WebSocket lives past it.
/// An AppHost of its own, with the contract's 5 s deadline: the outage would disturb the shared one.
/// The elapsed times are written to the output, not asserted.
/// </summary>
public sealed class DeadlineFaultTests(DeadlineFaultTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<DeadlineFaultTests.Fixture>
{
    /// <summary>An AppHost of its own, with the deadline a deployment has.</summary>
    public sealed class Fixture : DistributedAppFixture
    {
        protected override TimeSpan RequestDeadline => ContractDeadline;
    }

    /// <summary>Three deadlines: a call that hangs fails the test instead of passing late.</summary>
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task WhilePostgresIsFrozenWhatNeedsItIs503AndTheCachedProfileIsServed()
    {
        var (user, client) = await ArrangeAsync("Before The Freeze");
        var postmaster = await ProcessFaults.ResourcePidAsync(fixture.App, ResourceNames.Postgres, "postgres");

        using (ProcessFaults.Freeze(postmaster))
        {
            await ExpectOutageAsync(client, user, "Before The Freeze");
        }

        await ExpectRecoveryAsync(client, user);
    }

    [Fact]
    public async Task WhilePostgresIsStoppedWhatNeedsItIs503AndItRecoversWhenRestarted()
    {
        var (user, client) = await ArrangeAsync("Before The Shutdown");
        var postmaster = await ProcessFaults.ResourcePidAsync(fixture.App, ResourceNames.Postgres, "postgres");

        try
        {
            await ProcessFaults.EndAsync(postmaster, ProcessFaults.SigInt);
            await ExpectOutageAsync(client, user, "Before The Shutdown");
        }
        finally
        {
            await ProcessFaults.RestartAsync(fixture.App, ResourceNames.Postgres);
        }

        await ExpectRecoveryAsync(client, user);
    }

    [Fact]
    public async Task AWebSocketThroughTheGatewayOutlivesTheRequestDeadline()
    {
        using var client = GatewayClients.Create(fixture.GatewayAddress, GatewayClients.FreshAddressPerRequest);
        client.Timeout = ClientTimeout;
        var user = await Accounts.CreateAsync(client);
        await using var socket = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.GatewayWebSocket(fixture), user);

        // Past the deadline of the gateway and of the realtime service: /ws is exempt from both.
        await Task.Delay(DistributedAppFixture.ContractDeadline + TimeSpan.FromSeconds(2));
        var title = Accounts.Unique("After The Deadline");
        await RealtimeEndpoints.NotifyAsync(fixture, user.Id, title, "still open");

        var notification = await socket.ReceiveOfTypeAsync("notification");
        Assert.Equal(title, notification.GetProperty("title").GetString());
    }

    /// <summary>An account whose last acknowledged write is <paramref name="displayName"/>, its profile in the cache.</summary>
    private async Task<(TestUser User, HttpClient Client)> ArrangeAsync(string displayName)
    {
        var client = GatewayClients.Create(fixture.GatewayAddress, GatewayClients.FreshAddressPerRequest);
        client.Timeout = ClientTimeout;
        var user = await Accounts.CreateAsync(client);
        using var patched = await Poll.UntilAsync(
            () => client.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { displayName })),
            response => response.StatusCode != HttpStatusCode.ServiceUnavailable, what: "PATCH before the outage");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        // The PATCH replaced the cache entry; this read is served from it.
        using var read = await client.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
        Assert.Equal(displayName, (await read.JsonAsync()).GetProperty("displayName").GetString());
        return (user, client);
    }

    private async Task ExpectOutageAsync(HttpClient client, TestUser user, string acknowledgedName)
    {
        await ExpectUnavailableAsync("login", () => PostJsonAsync(client, "/api/auth/login", new { email = user.Email, password = Accounts.Password }));
        await ExpectUnavailableAsync("register", () => PostJsonAsync(client, "/api/auth/register", Accounts.NewRegistration()));
        await ExpectUnavailableAsync("PATCH me", () => client.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { displayName = "During The Outage" })));
        // A term nobody searched for: not in the list cache, so only PostgreSQL could answer.
        await ExpectUnavailableAsync("search", () => client.GetAsync($"/api/users?search={Accounts.Unique("nobody")}"));

        var started = Stopwatch.GetTimestamp();
        using var cached = await client.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
        output.WriteLine($"cached GET me: {(int)cached.StatusCode} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(acknowledgedName, (await cached.JsonAsync()).GetProperty("displayName").GetString());

        foreach (var service in new[] { ResourceNames.IdentityService, ResourceNames.UserService })
        {
            var database = service == ResourceNames.IdentityService ? ResourceNames.IdentityDatabase : ResourceNames.UsersDatabase;
            var health = await ReadinessAsync(service, until: status => status == HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
            Assert.Equal("Unhealthy", health.Body.GetProperty("status").GetString());
            Assert.Equal("Unhealthy", health.Body.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
            Assert.Contains($"postgresql: PostgreSQL ({database})", health.Body.GetProperty("reason").GetString());
            output.WriteLine($"{service} /health: {health.Body.GetProperty("reason").GetString()}");
        }
    }

    private async Task ExpectUnavailableAsync(string call, Func<Task<HttpResponseMessage>> send)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await send();
        output.WriteLine($"{call}: {(int)response.StatusCode} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        await Problems.ExpectAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"{call}: 503 without a Retry-After in whole seconds");
    }

    /// <summary>Without a restart of any service: the same calls succeed again, and the acknowledged write is there.</summary>
    private async Task ExpectRecoveryAsync(HttpClient client, TestUser user)
    {
        var started = Stopwatch.GetTimestamp();
        await Poll.UntilAsync(async () =>
        {
            using var login = await PostJsonAsync(client, "/api/auth/login", new { email = user.Email, password = Accounts.Password });
            return login.StatusCode == HttpStatusCode.OK;
        }, what: "login after the outage");
        output.WriteLine($"login back after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");

        await Poll.UntilAsync(async () =>
        {
            using var search = await client.GetAsync($"/api/users?search={Accounts.Unique("after")}");
            return search.StatusCode == HttpStatusCode.OK;
        }, what: "search after the outage");
        await Accounts.CreateAsync(client);

        var renamed = Accounts.Unique("After The Outage");
        using var patched = await Poll.UntilAsync(
            () => client.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { displayName = renamed })),
            response => response.StatusCode == HttpStatusCode.OK, what: "PATCH after the outage");
        using var read = await client.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
        Assert.Equal(renamed, (await read.JsonAsync()).GetProperty("displayName").GetString());

        foreach (var service in new[] { ResourceNames.IdentityService, ResourceNames.UserService })
        {
            var health = await ReadinessAsync(service, until: status => status == HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.OK, health.Status);
        }
    }

    /// <summary><c>/health</c> of a service (behind DCP's proxy, so any replica) with the JSON detail, polled until <paramref name="until"/>.</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body)> ReadinessAsync(string service, Func<HttpStatusCode, bool> until)
    {
        using var http = fixture.App.CreateHttpClient(service, "http");
        http.Timeout = ClientTimeout;
        return await Poll.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.JsonAsync());
        }, health => until(health.StatusCode), TimeSpan.FromSeconds(30), $"{service} readiness");
    }
}
