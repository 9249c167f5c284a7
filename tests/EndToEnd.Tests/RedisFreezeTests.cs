using System.Diagnostics;
using System.Net;
using AppHost;
using Xunit.Abstractions;
using static EndToEnd.Tests.Requests;

namespace EndToEnd.Tests;

/// <summary>
/// Redis frozen (SIGSTOP: connections stay open, nothing answers) costs a read nothing after the first
/// deadlines: revocation is in memory, rate-limit leases fall back to the replica, the profile cache's breaker
/// opens and reads go to PostgreSQL. A PATCH is not acknowledged while Redis cannot replace its cache entry (503):
/// a 200 promises that no read, on any replica, shows an older profile. An AppHost of its own, since the freeze
/// would disturb the shared one. The medians are written to the test output (no timed assertion).
/// </summary>
public sealed class RedisFreezeTests(DistributedAppFixture fixture, ITestOutputHelper output) : IClassFixture<DistributedAppFixture>
{
    private const int Requests = 30;

    [Fact]
    public async Task WhileRedisIsFrozenGetMeAnswers200FromPostgreSql()
    {
        var account = await Accounts.CreateAsync(fixture.Gateway);
        using var client = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        await TimeGetMeAsync(client, account.AccessToken, 3);
        var normal = await TimeGetMeAsync(client, account.AccessToken, Requests);
        Assert.All(normal, r => Assert.Equal(HttpStatusCode.OK, r.Status));

        // DCP's PID for the Redis resource (its client port is DCP's proxy, so the port alone would name the proxy).
        var redis = await ProcessFaults.ResourcePidAsync(fixture.App, ResourceNames.Redis, ProcessFaults.RedisPrograms);
        List<(HttpStatusCode Status, double Ms)> frozen;
        using (ProcessFaults.Freeze(redis))
        {
            frozen = await TimeGetMeAsync(client, account.AccessToken, Requests);
        }

        output.WriteLine($"median GET /api/users/me: normal {Median(normal):F2} ms, Redis frozen {Median(frozen):F2} ms " +
            $"(max {frozen.Max(r => r.Ms):F0} ms; {Requests} sequential requests each)");
        Assert.All(frozen, r => Assert.Equal(HttpStatusCode.OK, r.Status));
    }

    /// <summary>
    /// The fault suite's stale read (README § Cache): a PATCH answered 200 while Redis was frozen left the older entry
    /// in the cache, which readers found after the thaw until a background retry replaced it.
    /// </summary>
    [Fact]
    public async Task APatchWhileRedisIsFrozenIs503AndOnceAcknowledgedEveryReadShowsIt()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway, "Before The Freeze");
        using var before = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        using (var cache = await Stores.RedisAsync(fixture))
        {
            // The read filled the cache: an older entry is there for a PATCH to leave behind.
            await Poll.UntilAsync(() => cache.GetDatabase().KeyExistsAsync($"user:{user.Id}"), what: "the profile's cache entry");
        }
        var change = new { displayName = "Patched While Frozen" };

        var redis = await ProcessFaults.ResourcePidAsync(fixture.App, ResourceNames.Redis, ProcessFaults.RedisPrograms);
        using (ProcessFaults.Freeze(redis))
        {
            using var patched = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, change));
            await Problems.ExpectAsync(patched, HttpStatusCode.ServiceUnavailable);
            Assert.True(patched.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "503 without Retry-After");
            Assert.Equal("Patched While Frozen", await StoredDisplayNameAsync(user.Id)); // a 503 promises nothing, either way
        }

        // The client repeats its PATCH, as Retry-After says, until it is acknowledged.
        using var repeated = await Poll.UntilAsync(
            () => fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, change)),
            response => response.StatusCode != HttpStatusCode.ServiceUnavailable, what: "the repeated PATCH's status");
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);

        // From then on every read shows it, through either gateway (and either UserService replica, as DCP's proxy spreads them).
        for (var i = 0; i < 8; i++)
        {
            using var gateway = fixture.GatewayReplica(i % DistributedAppFixture.GatewayReplicas, GatewayClients.UniqueLoopbackAddress());
            using var read = await gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("Patched While Frozen", (await read.JsonAsync()).GetProperty("displayName").GetString());
        }
    }

    private async Task<string?> StoredDisplayNameAsync(Guid id)
    {
        await using var db = await Stores.UsersDbAsync(fixture);
        await using var query = new Npgsql.NpgsqlCommand("SELECT display_name FROM profiles WHERE id = @id", db);
        query.Parameters.AddWithValue("id", id);
        return (string?)await query.ExecuteScalarAsync();
    }

    private static async Task<List<(HttpStatusCode Status, double Ms)>> TimeGetMeAsync(HttpClient client, string token, int count)
    {
        var results = new List<(HttpStatusCode, double)>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me").WithBearer(token);
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request);
            results.Add((response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }
        return results;
    }

    private static double Median(List<(HttpStatusCode Status, double Ms)> results)
    {
        var sorted = results.Select(r => r.Ms).Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
