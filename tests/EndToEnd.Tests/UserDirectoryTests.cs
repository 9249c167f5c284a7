using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AppHost;
using static EndToEnd.Tests.Accounts;
using static EndToEnd.Tests.Requests;
using static EndToEnd.Tests.Stores;

namespace EndToEnd.Tests;

/// <summary>Contract §3's public routes (no token) and internal contract 1 (profile provisioning).</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class UserDirectoryTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task ProvisioningIsIdempotent_ASecondDeliveryChangesNothing()
    {
        using var users = fixture.App.CreateHttpClient(ResourceNames.UserService, "http");
        var id = Guid.NewGuid();
        var first = await users.PostAsJsonAsync("/internal/users",
            new { userId = id, email = "first@example.test", displayName = "  First Name  ", createdAt = "2026-11-25T01:00:00Z" });
        var again = await users.PostAsJsonAsync("/internal/users",
            new { userId = id, email = "other@example.test", displayName = "Other", createdAt = "2026-11-25T02:00:00Z" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal($"/api/users/{id}", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var profile = await again.JsonAsync();
        Assert.Equal("first@example.test", profile.GetProperty("email").GetString());
        Assert.Equal("First Name", profile.GetProperty("displayName").GetString());

        await using var db = await UsersDbAsync(fixture);
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM profiles WHERE id = @id", db);
        count.Parameters.AddWithValue("id", id);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ProvisioningRejectsBadInputByField()
    {
        using var users = fixture.App.CreateHttpClient(ResourceNames.UserService, "http");

        var invalid = await users.PostAsync("/internal/users", RawJson("""{"userId":"nope","email":"x","displayName":"   ","createdAt":5}"""));
        var malformed = await users.PostAsync("/internal/users", RawJson("""{"userId":"""));
        var notObject = await users.PostAsync("/internal/users", RawJson("[1,2]"));
        var wrongType = await users.PostAsync("/internal/users", RawJson("userId=1", "text/plain"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        var errors = (await invalid.JsonAsync()).GetProperty("errors");
        Assert.All(["userId", "email", "displayName", "createdAt"], field => Assert.True(errors.TryGetProperty(field, out _), field));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notObject.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Equal("application/problem+json", wrongType.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task InternalRoutesAreNotReachableThroughTheGateway()
    {
        var response = await fixture.Gateway.PostAsync("/internal/users", RawJson("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task PublicProfileHasNoEmailAndAnETag()
    {
        var id = await ProvisionAsync(fixture, "Public Person");

        var response = await fixture.Gateway.GetAsync($"/api/users/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        var profile = await response.JsonAsync();
        Assert.False(profile.TryGetProperty("email", out _));
        Assert.Equal(id, profile.GetProperty("id").GetGuid());
        Assert.Equal("Public Person", profile.GetProperty("displayName").GetString());
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("bio").ValueKind);
        Assert.EndsWith("Z", profile.GetProperty("createdAt").GetString());

        var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{id}");
        conditional.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await fixture.Gateway.SendAsync(conditional)).StatusCode);
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    [InlineData("not-a-uuid")]
    public async Task UnknownProfileIs404ProblemDetails(string id)
    {
        var response = await fixture.Gateway.GetAsync($"/api/users/{id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.JsonAsync()).TryGetProperty("traceId", out _));
    }

    [Fact]
    public async Task SearchIsCaseInsensitiveSubstringOrderedByNameThenId()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var b = await ProvisionAsync(fixture, $"bravo {tag}");
        var a1 = await ProvisionAsync(fixture, $"Alpha {tag.ToUpperInvariant()}");
        var a2 = await ProvisionAsync(fixture, $"Alpha {tag.ToUpperInvariant()}");
        await ProvisionAsync(fixture, "Unrelated Name");

        var page = await (await fixture.Gateway.GetAsync($"/api/users?search={tag}")).JsonAsync();

        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        Assert.Equal(20, page.GetProperty("pageSize").GetInt32());
        var ids = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([.. new[] { a1, a2 }.Order(), b], ids);
        Assert.All(page.GetProperty("items").EnumerateArray(), item => Assert.False(item.TryGetProperty("email", out _)));
    }

    [Fact]
    public async Task SearchTakesWildcardsLiterally()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var percent = await ProvisionAsync(fixture, $"100% {tag}");
        var underscore = await ProvisionAsync(fixture, $"a_b {tag}");
        var backslash = await ProvisionAsync(fixture, $"c\\d {tag}");
        // What each term would match if %, _ or \ were wildcards or escapes.
        await ProvisionAsync(fixture, $"1000 {tag}");
        await ProvisionAsync(fixture, $"axb {tag}");
        await ProvisionAsync(fixture, $"cd {tag}");

        async Task<List<Guid>> Search(string term) =>
            (await (await fixture.Gateway.GetAsync($"/api/users?search={Uri.EscapeDataString(term)}")).JsonAsync())
                .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();

        Assert.Equal([percent], await Search($"0% {tag}"));
        Assert.Equal([underscore], await Search($"a_b {tag}"));
        Assert.Equal([backslash], await Search($"c\\d {tag}"));
    }

    [Fact]
    public async Task PagingWalksTheWholeResultOnce()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await ProvisionAsync(fixture, $"Pager {i} {tag}"));
        }

        var seen = new List<Guid>();
        for (var page = 1; page <= 3; page++)
        {
            var body = await (await fixture.Gateway.GetAsync($"/api/users?search={tag}&page={page}&pageSize=2")).JsonAsync();
            Assert.Equal(5, body.GetProperty("total").GetInt32());
            seen.AddRange(body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        }
        var beyond = await (await fixture.Gateway.GetAsync($"/api/users?search={tag}&page=4&pageSize=2")).JsonAsync();

        Assert.Equal(created, seen);
        Assert.Empty(beyond.GetProperty("items").EnumerateArray());
        Assert.Equal(5, beyond.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("pageSize=ten", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("page=1.5", "page")]
    public async Task PagingOutOfBoundsIs422NamingTheField(string query, string field)
    {
        var response = await fixture.Gateway.GetAsync($"/api/users?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("pageSize=1")]
    [InlineData("pageSize=100")]
    public async Task PageSizeBoundsAreInclusive(string query)
    {
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync($"/api/users?{query}")).StatusCode);
    }

    [Fact]
    public async Task OwnProfileNeedsABearerToken()
    {
        var anonymous = await fixture.Gateway.GetAsync("/api/users/me");
        var garbage = new HttpRequestMessage(HttpMethod.Patch, "/api/users/me") { Content = RawJson("{}") };
        garbage.Headers.Authorization = new("Bearer", "not.a.token");
        var invalid = await fixture.Gateway.SendAsync(garbage);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        Assert.StartsWith("Bearer", invalid.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task ReadinessIsHealthyWithDatabaseAndCache()
    {
        using var users = fixture.App.CreateHttpClient(ResourceNames.UserService, "http");

        var health = await users.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
    }
}
