using AppHost;
using StackExchange.Redis;

namespace EndToEnd.Tests;

/// <summary>
/// The whole system on the embedded Redis (Microsoft Garnet) that the AppHost runs when redis-server is not installed:
/// the same settings as the main suite, with <c>Infrastructure:RedisServer</c> pointing nowhere so that the AppHost
/// takes the fallback a bare machine takes. One extra AppHost start; the main suite stays on redis-server.
/// </summary>
public sealed class EmbeddedRedisFixture : DistributedAppFixture
{
    protected override IEnumerable<string> Settings =>
        [.. base.Settings, "--Infrastructure:Redis=auto", "--Infrastructure:RedisServer=/nonexistent/redis-server"];
}

[CollectionDefinition(Name)]
public sealed class EmbeddedRedisCollection : ICollectionFixture<EmbeddedRedisFixture>
{
    public const string Name = "distributed app on embedded redis";
}

/// <summary>The fixture really runs Garnet, so that the classes below pass for the right reason.</summary>
[Collection(EmbeddedRedisCollection.Name)]
public sealed class EmbeddedRedisServerTests(EmbeddedRedisFixture fixture)
{
    [Fact]
    public async Task TheRedisResourceIsGarnetAndRequiresItsPassword()
    {
        var connectionString = await fixture.ConnectionStringAsync(ResourceNames.Redis);
        using var redis = await ConnectionMultiplexer.ConnectAsync($"{connectionString},allowAdmin=true");

        var server = (await redis.GetServers().Single().InfoAsync("server")).SelectMany(group => group).ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.Equal("garnet", server["server_name"]);

        var withoutPassword = string.Join(',', connectionString.Split(',').Where(part => !part.StartsWith("password=", StringComparison.Ordinal)));
        using var anonymous = await ConnectionMultiplexer.ConnectAsync($"{withoutPassword},abortConnect=false");
        await Assert.ThrowsAnyAsync<RedisException>(() => anonymous.GetDatabase().StringGetAsync("anything"));
    }

    /// <summary>
    /// The rate limiter's leases, the profile cache's version check and the revocation list are read-modify-write
    /// scripts that count on running as one step, as on redis-server. Scripts sent at once on several connections
    /// (as several replicas send them) must not interleave: every increment survives. Garnet interleaves them
    /// unless started with <c>--lua-transaction-mode</c> (seen here: 10 and 26 of 40 increments survived without it).
    /// </summary>
    [Fact]
    public async Task ScriptsFromSeveralConnectionsRunOneAtATime()
    {
        // GET, a pause long enough for another script to come in between, SET.
        const string slowIncrement = "local v = tonumber(redis.call('GET', KEYS[1]) or '0') for i = 1, 200000 do end redis.call('SET', KEYS[1], v + 1)";
        const int Connections = 4, ScriptsPerConnection = 10;
        var connectionString = await fixture.ConnectionStringAsync(ResourceNames.Redis);
        var clients = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => ConnectionMultiplexer.ConnectAsync(connectionString)));
        try
        {
            RedisKey key = $"script-atomicity:{Guid.NewGuid():N}";
            await Task.WhenAll(clients.SelectMany(client =>
                Enumerable.Range(0, ScriptsPerConnection).Select(_ => client.GetDatabase().ScriptEvaluateAsync(slowIncrement, [key]))));

            Assert.Equal(Connections * ScriptsPerConnection, (int)await clients[0].GetDatabase().StringGetAsync(key));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}

// The existing suites, run unchanged against the embedded server: Lua (rate-limit tiers shared by two gateway
// replicas), expiry (profile cache), pub/sub (backplane fan-out across two realtime replicas), the revocation list
// (logout), and encryption sessions with replay detection.
[Collection(EmbeddedRedisCollection.Name)]
public sealed class EmbeddedRedisRateLimitTests(EmbeddedRedisFixture fixture) : GatewayRateLimitTests(fixture);

[Collection(EmbeddedRedisCollection.Name)]
public sealed class EmbeddedRedisUserCacheTests(EmbeddedRedisFixture fixture) : UserCacheTests(fixture);

[Collection(EmbeddedRedisCollection.Name)]
public sealed class EmbeddedRedisRealtimeFanOutTests(EmbeddedRedisFixture fixture) : RealtimeFanOutTests(fixture);

[Collection(EmbeddedRedisCollection.Name)]
public sealed class EmbeddedRedisAuthFlowTests(EmbeddedRedisFixture fixture) : IdentityAuthFlowTests(fixture);

[Collection(EmbeddedRedisCollection.Name)]
public sealed class EmbeddedRedisEncryptionTests(EmbeddedRedisFixture fixture) : GatewayEncryptionTests(fixture);
