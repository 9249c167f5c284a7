using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AppHost;
using static EndToEnd.Tests.Accounts;
using static EndToEnd.Tests.Requests;
using static EndToEnd.Tests.Stores;

namespace EndToEnd.Tests;

/// <summary>Contract §3's own-profile routes with real tokens from the identity service, through the gateway.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class UserProfileTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task ProfileExistsAsSoonAsRegistrationThroughTheGatewayReturns()
    {
        var user = await CreateAsync(fixture.Gateway, "  Fresh Registrant ");

        var response = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        var profile = await response.JsonAsync();
        Assert.Equal(user.Id, profile.GetProperty("id").GetGuid());
        Assert.Equal(user.Email, profile.GetProperty("email").GetString());
        Assert.Equal("Fresh Registrant", profile.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task PatchUpdatesAndEveryLaterReadSeesIt()
    {
        var user = await CreateAsync(fixture.Gateway);
        await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user)); // warm the cache

        var patched = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user,
            new { displayName = "  Renamed  ", bio = "Hello there", avatarUrl = "https://example.test/a.png" }));

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var body = await patched.JsonAsync();
        Assert.Equal("Renamed", body.GetProperty("displayName").GetString());
        Assert.Equal("Hello there", body.GetProperty("bio").GetString());
        Assert.Equal("https://example.test/a.png", body.GetProperty("avatarUrl").GetString());
        // Two UserService replicas behind the gateway: every read, whichever replica answers, has the new value.
        for (var i = 0; i < 10; i++)
        {
            var own = await (await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user))).JsonAsync();
            var pub = await (await fixture.Gateway.GetAsync($"/api/users/{user.Id}")).JsonAsync();
            Assert.Equal("Renamed", own.GetProperty("displayName").GetString());
            Assert.Equal("Hello there", pub.GetProperty("bio").GetString());
        }
    }

    [Fact]
    public async Task PatchWithNullClearsAndOmittedFieldsStay()
    {
        var user = await CreateAsync(fixture.Gateway);
        await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "temporary", avatarUrl = "https://example.test/x" }));

        var cleared = await (await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user,
            new { bio = (string?)null }))).JsonAsync();

        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.GetProperty("bio").ValueKind);
        Assert.Equal("https://example.test/x", cleared.GetProperty("avatarUrl").GetString());
        Assert.Equal(user.DisplayName, cleared.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task StaleIfMatchIs412AndChangesNothing()
    {
        var user = await CreateAsync(fixture.Gateway);
        var read = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
        var original = read.Headers.ETag!;

        var first = Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "first" });
        first.Headers.IfMatch.Add(original);
        var firstResponse = await fixture.Gateway.SendAsync(first);
        var stale = Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "second" });
        stale.Headers.IfMatch.Add(original);
        var staleResponse = await fixture.Gateway.SendAsync(stale);

        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.NotEqual(original, firstResponse.Headers.ETag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleResponse.StatusCode);
        Assert.Equal("application/problem+json", staleResponse.Content.Headers.ContentType?.MediaType);
        var now = await (await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user))).JsonAsync();
        Assert.Equal("first", now.GetProperty("bio").GetString());

        var current = Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "third" });
        current.Headers.IfMatch.Add(firstResponse.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.SendAsync(current)).StatusCode);
    }

    [Fact]
    public async Task InvalidPatchIs422NamingEveryBadField()
    {
        var user = await CreateAsync(fixture.Gateway);

        var response = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new
        {
            displayName = "   ",
            bio = new string('b', 281),
            avatarUrl = "http://insecure.example.test/a.png",
            email = "new@example.test",
        }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.All(["displayName", "bio", "avatarUrl", "email"], field => Assert.True(errors.TryGetProperty(field, out _), field));
        var profile = await (await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user))).JsonAsync();
        Assert.Equal(user.DisplayName, profile.GetProperty("displayName").GetString());
    }

    [Theory]
    [InlineData("{\"bio\":", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("\"just a string\"", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("bio=x", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("{\"displayName\":42}", "application/json", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"bio\":\"merge\"}", "application/merge-patch+json", HttpStatusCode.OK)]
    public async Task PatchBodyErrorsAreProblemDetails(string body, string mediaType, HttpStatusCode expected)
    {
        var user = await CreateAsync(fixture.Gateway);
        var request = Authorized(HttpMethod.Patch, "/api/users/me", user);
        request.Content = RawJson(body, mediaType);

        var response = await fixture.Gateway.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task BodyOverOneMebibyteIs413()
    {
        var user = await CreateAsync(fixture.Gateway);
        var request = Authorized(HttpMethod.Patch, "/api/users/me", user);
        request.Content = RawJson($"{{\"bio\":\"{new string('x', 1024 * 1024 + 16)}\"}}");
        request.Headers.ExpectContinue = true; // refused on its length: the body is never sent, no broken pipe races the 413

        var response = await fixture.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task BioLimitCountsCharactersNotBytes()
    {
        var user = await CreateAsync(fixture.Gateway);

        var response = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user,
            new { bio = string.Concat(Enumerable.Repeat("😀", 280)) }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ProfileChangePublishesADataUpdateWithTraceContext()
    {
        var user = await CreateAsync(fixture.Gateway);
        using var redis = await RedisAsync(fixture);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await redis.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal("realtime:events"), (_, message) =>
        {
            if (message.ToString().Contains(user.Id.ToString()))
            {
                received.TrySetResult(message.ToString());
            }
        });

        await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = "event please" }));
        var json = System.Text.Json.JsonDocument.Parse(await received.Task.WaitAsync(TimeSpan.FromSeconds(30))).RootElement;

        Assert.Equal(user.Id, json.GetProperty("userId").GetGuid());
        var message = json.GetProperty("message");
        Assert.Equal("data_update", message.GetProperty("type").GetString());
        Assert.Equal("user", message.GetProperty("entity").GetString());
        Assert.Equal(user.Id.ToString(), message.GetProperty("id").GetString());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", json.GetProperty("traceParent").GetString());
        Assert.True(json.GetProperty("sentAtUnixMs").GetInt64() > 0);
    }
}
