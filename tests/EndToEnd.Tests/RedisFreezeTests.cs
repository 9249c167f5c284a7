using System.Diagnostics;
using System.Net;
using AppHost;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// Redis frozen (SIGSTOP: connections stay open, nothing answers) costs a request nothing after the first
/// deadlines: revocation is in memory, rate-limit leases fall back to the replica, the profile cache's breaker
/// opens and reads go to PostgreSQL. An AppHost of its own, since the freeze would disturb the shared one.
/// The medians are written to the test output (no timed assertion).
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
