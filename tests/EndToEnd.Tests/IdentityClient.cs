using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>What a client of contract §2 does, through the gateway; each call a fresh, unique account.</summary>
internal static class IdentityClient
{
    public const string Password = "correct horse battery staple";

    public static string UniqueEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    public static async Task<RegisteredUser> RegisterAsync(HttpClient gateway, string? email = null, string displayName = "Test User")
    {
        email ??= UniqueEmail();
        var response = await PostJsonAsync(gateway, "/api/auth/register", new { email, password = Password, displayName });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new RegisteredUser(Guid.Parse(body.GetProperty("userId").GetString()!), email, displayName);
    }

    public static async Task<Tokens> LoginAsync(HttpClient gateway, string email, string password = Password)
    {
        var response = await PostJsonAsync(gateway, "/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Tokens.ReadAsync(response);
    }

    public static async Task<(RegisteredUser User, Tokens Tokens)> RegisterAndLoginAsync(HttpClient gateway)
    {
        var user = await RegisterAsync(gateway);
        return (user, await LoginAsync(gateway, user.Email));
    }

    public static Task<HttpResponseMessage> RefreshAsync(HttpClient gateway, string refreshToken) =>
        PostJsonAsync(gateway, "/api/auth/refresh", new { refreshToken });

    public static Task<HttpResponseMessage> LogoutAsync(HttpClient gateway, string accessToken, string refreshToken) =>
        PostJsonAsync(gateway, "/api/auth/logout", new { refreshToken }, accessToken);

    public static async Task<HttpResponseMessage> PostJsonAsync(HttpClient gateway, string path, object body, string? bearer = null) =>
        await PostRawAsync(gateway, path, JsonSerializer.Serialize(body), "application/json", bearer);

    public static async Task<HttpResponseMessage> PostRawAsync(HttpClient gateway, string path, string body, string? mediaType, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = mediaType is null ? null : new MediaTypeHeaderValue(mediaType);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return await gateway.SendAsync(request);
    }
}

internal sealed record RegisteredUser(Guid UserId, string Email, string DisplayName);

internal sealed record Tokens(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn, int RefreshExpiresIn, Guid UserId)
{
    public static async Task<Tokens> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Tokens(
            body.GetProperty("accessToken").GetString()!,
            body.GetProperty("refreshToken").GetString()!,
            body.GetProperty("tokenType").GetString()!,
            body.GetProperty("expiresIn").GetInt32(),
            body.GetProperty("refreshExpiresIn").GetInt32(),
            Guid.Parse(body.GetProperty("userId").GetString()!));
    }

    /// <summary>The decoded JSON of one JWT part (0 header, 1 payload).</summary>
    public static JsonElement Part(string jwt, int index)
    {
        var text = jwt.Split('.')[index].Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(text)).RootElement.Clone();
    }
}
