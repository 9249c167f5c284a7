using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Contract §1 and §2's input rules for the identity routes: 400, 415 and 422 with a field map, never 500.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class IdentityValidationTests(DistributedAppFixture fixture)
{
    private HttpClient Gateway => fixture.Gateway;

    [Theory]
    [InlineData("/api/auth/register", "{\"email\": ")]
    [InlineData("/api/auth/register", "[1, 2]")]
    [InlineData("/api/auth/login", "\"just a string\"")]
    [InlineData("/api/auth/login", "")]
    [InlineData("/api/auth/refresh", "{not json}")]
    [InlineData("/api/auth/refresh", "null")]
    public async Task MalformedJsonOrANonObjectIs400(string path, string body)
    {
        var response = await Requests.PostRawAsync(Gateway, path, body, "application/json");

        await Problems.ExpectAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/api/auth/register", "text/plain")]
    [InlineData("/api/auth/login", "application/x-www-form-urlencoded")]
    [InlineData("/api/auth/refresh", null)]
    public async Task AnotherMediaTypeIs415(string path, string? mediaType)
    {
        var response = await Requests.PostRawAsync(Gateway, path, "{}", mediaType);

        await Problems.ExpectAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task EveryBadRegistrationFieldIsNamedIn422()
    {
        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/register",
            new { email = "not-an-address", password = "short", displayName = "   " });

        var problem = await Problems.ExpectAsync(response, (HttpStatusCode)422);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["displayName", "email", "password"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task MissingAndWronglyTypedFieldsAre422()
    {
        var response = await Requests.PostRawAsync(Gateway, "/api/auth/register",
            "{\"email\": 42, \"displayName\": null}", "application/json");

        var problem = await Problems.ExpectAsync(response, (HttpStatusCode)422);
        Assert.Equal(["displayName", "email", "password"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(8, true)]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public async Task PasswordLengthCountsCodePoints(int codePoints, bool accepted)
    {
        // 😀 is one code point but two UTF-16 units: 7 of them are 14 units and still too short.
        var password = string.Concat(Enumerable.Repeat("😀", codePoints));

        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/register",
            new { email = Accounts.UniqueEmail(), password, displayName = "Emoji" });

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        else
        {
            var problem = await Problems.ExpectAsync(response, (HttpStatusCode)422);
            Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        }
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public async Task DisplayNameIsAtMost64CharactersAfterTrimming(int length, bool accepted)
    {
        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/register",
            new { email = Accounts.UniqueEmail(), password = Accounts.Password, displayName = $"  {new string('n', length)}  " });

        Assert.Equal(accepted ? HttpStatusCode.Created : (HttpStatusCode)422, response.StatusCode);
    }

    [Fact]
    public async Task LoginAndRefreshNameTheirMissingFields()
    {
        var login = await Requests.PostJsonAsync(Gateway, "/api/auth/login", new { email = "a@example.com" });
        var refresh = await Requests.PostJsonAsync(Gateway, "/api/auth/refresh", new { token = "x" });

        var loginProblem = await Problems.ExpectAsync(login, (HttpStatusCode)422);
        var refreshProblem = await Problems.ExpectAsync(refresh, (HttpStatusCode)422);
        Assert.True(loginProblem.GetProperty("errors").TryGetProperty("password", out _));
        Assert.True(refreshProblem.GetProperty("errors").TryGetProperty("refreshToken", out _));
    }

    [Fact]
    public async Task TokenResponsesAreNotCacheable()
    {
        var user = await Accounts.CreateAsync(Gateway);

        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/login", new { email = user.Email, password = Accounts.Password });

        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(JsonValueKind.Object, (await response.Content.ReadFromJsonAsync<JsonElement>()).ValueKind);
    }
}
