using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AppHost;
using Npgsql;
using StackExchange.Redis;

namespace EndToEnd.Tests;

/// <summary>A registered user: id, the address and name it registered with, and a valid access token.</summary>
public sealed record TestUser(Guid Id, string Email, string DisplayName, string AccessToken);

/// <summary>What the user tests share: accounts, direct clients to the services, Redis and PostgreSQL.</summary>
public static class UserTestSupport
{
    public const string Password = "correct horse battery staple";

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    /// <summary>
    /// Registers and logs in on the identity service's own port (the gateway's 5/min auth limit is not under
    /// test here); one test registers through the gateway on purpose.
    /// </summary>
    public static async Task<TestUser> RegisterAsync(DistributedAppFixture fixture, string? displayName = null, HttpClient? via = null)
    {
        using var identity = fixture.App.CreateHttpClient(ResourceNames.IdentityService, "http");
        var client = via ?? identity;
        var email = $"{Guid.NewGuid():N}@example.test";
        displayName ??= Unique("User");
        var registered = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password, displayName });
        Assert.Equal(System.Net.HttpStatusCode.Created, registered.StatusCode);
        var userId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetGuid();
        var login = await identity.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        return new TestUser(userId, email, displayName, token);
    }

    /// <summary>Creates a profile the way the identity service's outbox does (internal contract 1).</summary>
    public static async Task<Guid> ProvisionAsync(DistributedAppFixture fixture, string displayName)
    {
        using var users = fixture.App.CreateHttpClient(ResourceNames.UserService, "http");
        var id = Guid.NewGuid();
        var response = await users.PostAsJsonAsync("/internal/users",
            new { userId = id, email = $"{id:N}@example.test", displayName, createdAt = DateTimeOffset.UtcNow });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    public static HttpRequestMessage Authorized(HttpMethod method, string path, TestUser user, object? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }
        return request;
    }

    public static StringContent RawJson(string body, string mediaType = "application/json") =>
        new(body, Encoding.UTF8, mediaType);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<ConnectionMultiplexer> RedisAsync(DistributedAppFixture fixture) =>
        await ConnectionMultiplexer.ConnectAsync(await fixture.ConnectionStringAsync(ResourceNames.Redis));

    public static async Task<NpgsqlConnection> UsersDbAsync(DistributedAppFixture fixture)
    {
        var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(ResourceNames.UsersDatabase));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Polls until the condition holds; for things that become true in the background (no timing asserted).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true in time");
            await Task.Delay(250);
        }
    }
}
