using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace EndToEnd.Tests.Documentation;

/// <summary>
/// The documents are honest: real answers from the running system — a success and an error for every route that a
/// client can get one from — match the status, media type and schema the documents give for that route.
/// (The <c>/.well-known</c> routes have no client-caused error: nothing a client sends makes them fail.)
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class OpenApiConformanceTests(DistributedAppFixture fixture)
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task IdentityAnswersMatchTheIdentityDocument()
    {
        var document = await OpenApiDocument.FetchAsync(fixture.Gateway, "identity");
        var email = $"docs-{Guid.NewGuid():N}@example.test";

        await document.AssertDocumentsAsync("POST", "/api/auth/register", await PostAsync("/api/auth/register", new { email, password = Password, displayName = "Docs" }, HttpStatusCode.Created));
        await document.AssertDocumentsAsync("POST", "/api/auth/register", await PostAsync("/api/auth/register", new { email = "not-an-email", password = "short", displayName = "" }, HttpStatusCode.UnprocessableEntity));
        await document.AssertDocumentsAsync("POST", "/api/auth/register", await PostAsync("/api/auth/register", new { email, password = "another password entirely", displayName = "Docs" }, HttpStatusCode.Conflict));

        var login = await PostAsync("/api/auth/login", new { email, password = Password }, HttpStatusCode.OK);
        await document.AssertDocumentsAsync("POST", "/api/auth/login", login);
        await document.AssertDocumentsAsync("POST", "/api/auth/login", await PostAsync("/api/auth/login", new { email, password = "wrong password!" }, HttpStatusCode.Unauthorized));
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();

        var refreshed = await PostAsync("/api/auth/refresh", new { refreshToken = tokens.GetProperty("refreshToken").GetString() }, HttpStatusCode.OK);
        await document.AssertDocumentsAsync("POST", "/api/auth/refresh", refreshed);
        await document.AssertDocumentsAsync("POST", "/api/auth/refresh", await PostAsync("/api/auth/refresh", new { refreshToken = "no-such-token" }, HttpStatusCode.Unauthorized));
        var current = await refreshed.Content.ReadFromJsonAsync<JsonElement>();

        await document.AssertDocumentsAsync("POST", "/api/auth/logout", await PostAsync("/api/auth/logout", new { refreshToken = "x" }, HttpStatusCode.Unauthorized));
        await document.AssertDocumentsAsync("POST", "/api/auth/logout", await PostAsync("/api/auth/logout",
            new { refreshToken = current.GetProperty("refreshToken").GetString() }, HttpStatusCode.NoContent, current.GetProperty("accessToken").GetString()));

        await document.AssertDocumentsAsync("GET", "/.well-known/openid-configuration", await GetAsync("/.well-known/openid-configuration", HttpStatusCode.OK));
        await document.AssertDocumentsAsync("GET", "/.well-known/jwks.json", await GetAsync("/.well-known/jwks.json", HttpStatusCode.OK));
    }

    [Fact]
    public async Task UsersAnswersMatchTheUsersDocument()
    {
        var document = await OpenApiDocument.FetchAsync(fixture.Gateway, "users");
        var email = $"docs-{Guid.NewGuid():N}@example.test";
        var registered = await (await PostAsync("/api/auth/register", new { email, password = Password, displayName = "Docs Reader" }, HttpStatusCode.Created))
            .Content.ReadFromJsonAsync<JsonElement>();
        var userId = registered.GetProperty("userId").GetString();
        var token = (await (await PostAsync("/api/auth/login", new { email, password = Password }, HttpStatusCode.OK))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();

        var me = await GetAsync("/api/users/me", HttpStatusCode.OK, token);
        await document.AssertDocumentsAsync("GET", "/api/users/me", me);
        await document.AssertDocumentsAsync("GET", "/api/users/me", await GetAsync("/api/users/me", HttpStatusCode.Unauthorized));

        var etag = me.Headers.ETag!.ToString();
        await document.AssertDocumentsAsync("PATCH", "/api/users/me", await PatchAsync(new { bio = "Documented.", avatarUrl = "https://example.test/a.png" }, token, etag, HttpStatusCode.OK));
        await document.AssertDocumentsAsync("PATCH", "/api/users/me", await PatchAsync(new { bio = "Stale." }, token, etag, HttpStatusCode.PreconditionFailed));
        await document.AssertDocumentsAsync("PATCH", "/api/users/me", await PatchAsync(new { avatarUrl = "http://not-https.test/" }, token, null, HttpStatusCode.UnprocessableEntity));

        await document.AssertDocumentsAsync("GET", "/api/users/{id}", await GetAsync($"/api/users/{userId}", HttpStatusCode.OK));
        await document.AssertDocumentsAsync("GET", "/api/users/{id}", await GetAsync($"/api/users/{Guid.NewGuid()}", HttpStatusCode.NotFound));

        await document.AssertDocumentsAsync("GET", "/api/users", await GetAsync("/api/users?search=Docs%20Reader&page=1&pageSize=5", HttpStatusCode.OK));
        await document.AssertDocumentsAsync("GET", "/api/users", await GetAsync("/api/users?pageSize=0", HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task SessionAnswersMatchTheGatewayDocument()
    {
        var document = await OpenApiDocument.FetchAsync(fixture.Gateway, "gateway");
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var point = key.ExportParameters(false).Q;
        var publicKey = Convert.ToBase64String([0x04, .. point.X!, .. point.Y!]).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        await document.AssertDocumentsAsync("POST", "/api/session", await PostAsync("/api/session", new { publicKey }, HttpStatusCode.Created));
        await document.AssertDocumentsAsync("POST", "/api/session", await PostAsync("/api/session", new { publicKey = "AAAA" }, HttpStatusCode.BadRequest));
        await document.AssertDocumentsAsync("POST", "/api/session", await PostAsync("/api/session", new { }, HttpStatusCode.UnprocessableEntity));
    }

    private async Task<HttpResponseMessage> PostAsync(string path, object body, HttpStatusCode expected, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        return await SendAsync(request, expected, bearer);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, HttpStatusCode expected, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(request, expected, bearer);
    }

    private async Task<HttpResponseMessage> PatchAsync(object body, string? bearer, string? ifMatch, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/users/me") { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await SendAsync(request, expected, bearer);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpStatusCode expected, string? bearer)
    {
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        var response = await fixture.Gateway.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        Assert.True(response.StatusCode == expected,
            $"{request.Method} {request.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }
}
