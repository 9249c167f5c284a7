using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AppHost;

namespace EndToEnd.Tests;

/// <summary>An account as registered: its id, address and display name.</summary>
public sealed record RegisteredUser(Guid Id, string Email, string DisplayName);

/// <summary>A registered and logged-in account.</summary>
public sealed record TestUser(Guid Id, string Email, string DisplayName, Tokens Tokens)
{
    public string AccessToken => Tokens.AccessToken;

    public string RefreshToken => Tokens.RefreshToken;
}

/// <summary>A token response of contract §2.</summary>
public sealed record Tokens(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn, int RefreshExpiresIn, Guid UserId)
{
    public static async Task<Tokens> ReadAsync(HttpResponseMessage response) =>
        FromJson(await response.Content.ReadFromJsonAsync<JsonElement>());

    public static Tokens FromJson(JsonElement body) =>
        new(
            body.GetProperty("accessToken").GetString()!,
            body.GetProperty("refreshToken").GetString()!,
            body.GetProperty("tokenType").GetString()!,
            body.GetProperty("expiresIn").GetInt32(),
            body.GetProperty("refreshExpiresIn").GetInt32(),
            Guid.Parse(body.GetProperty("userId").GetString()!));

    /// <summary>The decoded JSON of one JWT part (0 header, 1 payload).</summary>
    public static JsonElement Part(string jwt, int index)
    {
        var text = jwt.Split('.')[index].Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(text)).RootElement.Clone();
    }
}

/// <summary>
/// The one way the suite makes accounts: what a client of contract §2 does, through the gateway, each call a fresh,
/// unique account. The fixture's gateway client sends every request from a fresh address, so the gateway's
/// 5/min auth limit never bites.
/// </summary>
public static class Accounts
{
    public const string Password = "correct horse battery staple";

    public static string UniqueEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    /// <summary>A unique short name (at most 60 characters) starting with <paramref name="prefix"/>.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    public static object NewRegistration(string? email = null, string displayName = "Test User") =>
        new { email = email ?? UniqueEmail(), password = Password, displayName };

    public static async Task<RegisteredUser> RegisterAsync(HttpClient gateway, string? email = null, string? displayName = null)
    {
        email ??= UniqueEmail();
        displayName ??= Unique("User");
        var response = await Requests.PostJsonAsync(gateway, "/api/auth/register", new { email, password = Password, displayName });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new RegisteredUser(body.GetProperty("userId").GetGuid(), email, displayName);
    }

    public static async Task<Tokens> LoginAsync(HttpClient gateway, string email, string password = Password)
    {
        var response = await Requests.PostJsonAsync(gateway, "/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Tokens.ReadAsync(response);
    }

    /// <summary>Registers and logs in a new account.</summary>
    public static async Task<TestUser> CreateAsync(HttpClient gateway, string? displayName = null)
    {
        var user = await RegisterAsync(gateway, displayName: displayName);
        var tokens = await LoginAsync(gateway, user.Email);
        Assert.Equal(user.Id, tokens.UserId);
        return new TestUser(user.Id, user.Email, user.DisplayName, tokens);
    }

    public static Task<HttpResponseMessage> RefreshAsync(HttpClient gateway, string refreshToken) =>
        Requests.PostJsonAsync(gateway, "/api/auth/refresh", new { refreshToken });

    public static Task<HttpResponseMessage> LogoutAsync(HttpClient gateway, string accessToken, string refreshToken) =>
        Requests.PostJsonAsync(gateway, "/api/auth/logout", new { refreshToken }, accessToken);

    /// <summary>Creates a profile directly, the way the identity service's outbox does (internal contract 1).</summary>
    public static async Task<Guid> ProvisionAsync(DistributedAppFixture fixture, string displayName)
    {
        using var users = fixture.App.CreateHttpClient(ResourceNames.UserService, "http");
        var id = Guid.NewGuid();
        var response = await users.PostAsJsonAsync("/internal/users",
            new { userId = id, email = $"{id:N}@example.test", displayName, createdAt = DateTimeOffset.UtcNow });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }
}
