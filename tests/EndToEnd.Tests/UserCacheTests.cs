using System.Text.Json;
using StackExchange.Redis;
using static EndToEnd.Tests.UserTestSupport;

namespace EndToEnd.Tests;

/// <summary>Cache-aside under <c>user:{id}</c>, observed in Redis itself.</summary>
[Collection(DistributedAppCollection.Name)]
public class UserCacheTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task AMissFillsTheCacheWithATtlOfAtMostAnHour()
    {
        var id = await ProvisionAsync(fixture, "Cache Miss");
        using var redis = await RedisAsync(fixture);
        var db = redis.GetDatabase();
        await db.KeyDeleteAsync($"user:{id}");

        await fixture.Gateway.GetAsync($"/api/users/{id}");

        var entry = await db.StringGetWithExpiryAsync($"user:{id}");
        Assert.False(entry.Value.IsNullOrEmpty);
        Assert.Equal("Cache Miss", JsonDocument.Parse(entry.Value.ToString()).RootElement.GetProperty("displayName").GetString());
        Assert.InRange(entry.Expiry!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task AHitIsServedFromRedis()
    {
        var id = await ProvisionAsync(fixture, "Cache Hit");
        using var redis = await RedisAsync(fixture);
        var db = redis.GetDatabase();
        await fixture.Gateway.GetAsync($"/api/users/{id}");
        // Change the entry behind the service's back: a hit answers with what Redis holds.
        var node = System.Text.Json.Nodes.JsonNode.Parse((await db.StringGetAsync($"user:{id}")).ToString())!;
        node["displayName"] = "Straight From Redis";
        await db.StringSetAsync($"user:{id}", node.ToJsonString(), TimeSpan.FromMinutes(5));

        var profile = await (await fixture.Gateway.GetAsync($"/api/users/{id}")).JsonAsync();

        Assert.Equal("Straight From Redis", profile.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task AWriteReplacesTheEntryBeforeItAnswers()
    {
        var user = await RegisterAsync(fixture);
        using var redis = await RedisAsync(fixture);
        await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
        Assert.True(await redis.GetDatabase().KeyExistsAsync($"user:{user.Id}"));

        await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { displayName = "After Write" }));

        var entry = await redis.GetDatabase().StringGetAsync($"user:{user.Id}");
        Assert.True(entry.IsNullOrEmpty
            || JsonDocument.Parse(entry.ToString()).RootElement.GetProperty("displayName").GetString() == "After Write");
    }

    [Fact]
    public async Task EachWriteLeavesTheNewestVersionInRedis()
    {
        var user = await RegisterAsync(fixture);
        using var redis = await RedisAsync(fixture);
        var db = redis.GetDatabase();
        await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "v2" }));
        await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "v3" }));
        var current = JsonDocument.Parse((await db.StringGetAsync($"user:{user.Id}")).ToString()).RootElement;

        Assert.Equal("v3", current.GetProperty("bio").GetString());
        Assert.Equal(3, current.GetProperty("version").GetInt64());
    }
}
