using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using static EndToEnd.Tests.Accounts;
using static EndToEnd.Tests.Requests;
using static EndToEnd.Tests.Stores;

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

        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync($"/api/users/{id}")).StatusCode);

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
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync($"/api/users/{id}")).StatusCode);
        // Change the entry behind the service's back: a hit answers with what Redis holds.
        var node = System.Text.Json.Nodes.JsonNode.Parse((await db.StringGetAsync($"user:{id}")).ToString())!;
        node["displayName"] = "Straight From Redis";
        await db.StringSetAsync($"user:{id}", node.ToJsonString(), TimeSpan.FromMinutes(5));

        var response = await fixture.Gateway.GetAsync($"/api/users/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await response.JsonAsync();

        Assert.Equal("Straight From Redis", profile.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task AWriteReplacesTheEntryBeforeItAnswers()
    {
        var user = await CreateAsync(fixture.Gateway);
        using var redis = await RedisAsync(fixture);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user))).StatusCode);
        Assert.True(await redis.GetDatabase().KeyExistsAsync($"user:{user.Id}"));

        var patched = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { displayName = "After Write" }));

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var entry = await redis.GetDatabase().StringGetAsync($"user:{user.Id}");
        Assert.False(entry.IsNullOrEmpty, "the write left no entry");
        Assert.Equal("After Write", JsonDocument.Parse(entry.ToString()).RootElement.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task EachWriteLeavesTheNewestVersionInRedis()
    {
        var user = await CreateAsync(fixture.Gateway);
        using var redis = await RedisAsync(fixture);
        var db = redis.GetDatabase();
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "v2" }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "v3" }))).StatusCode);
        var current = JsonDocument.Parse((await db.StringGetAsync($"user:{user.Id}")).ToString()).RootElement;

        Assert.Equal("v3", current.GetProperty("bio").GetString());
        Assert.Equal(3, current.GetProperty("version").GetInt64());
    }
}
