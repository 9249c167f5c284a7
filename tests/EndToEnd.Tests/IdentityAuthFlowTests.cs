using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Contract §2 through the gateway: register, login, refresh rotation, reuse, logout.</summary>
[Collection(DistributedAppCollection.Name)]
public class IdentityAuthFlowTests(DistributedAppFixture fixture)
{
    private HttpClient Gateway => fixture.Gateway;

    [Fact]
    public async Task RegisterAnswers201WithTheAccountAndItsProfileLocation()
    {
        var email = Accounts.UniqueEmail("Mixed.Case");
        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/register",
            new { email = $"  {email}  ", password = Accounts.Password, displayName = "  Ada Lovelace " });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var userId = Guid.Parse(body.GetProperty("userId").GetString()!);
        Assert.Equal(email, body.GetProperty("email").GetString());
        Assert.Equal("Ada Lovelace", body.GetProperty("displayName").GetString());
        Assert.Equal($"/api/users/{userId}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ASecondRegistrationOfTheSameAddressInAnyCaseWithAnotherPasswordIs409()
    {
        var user = await Accounts.RegisterAsync(Gateway);

        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/register",
            new { email = " " + user.Email.ToUpperInvariant(), password = "another password entirely", displayName = "Other" });

        await Problems.ExpectAsync(response, HttpStatusCode.Conflict);
    }

    /// <summary>
    /// A client whose first answer was lost (or a 503) sends the same registration again: it gets the 201 of the
    /// account it made, not a 409, and no second account exists.
    /// </summary>
    [Fact]
    public async Task RepeatingTheSameRegistrationAnswers201WithTheSameAccount()
    {
        var user = await Accounts.RegisterAsync(Gateway);

        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/register",
            new { email = user.Email.ToUpperInvariant(), password = Accounts.Password, displayName = "Whatever" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user.Id, body.GetProperty("userId").GetGuid());
        Assert.Equal(user.DisplayName, body.GetProperty("displayName").GetString());
        Assert.Equal($"/api/users/{user.Id}", response.Headers.Location?.OriginalString);
        await using var identityDb = await Stores.IdentityDbAsync(fixture);
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM accounts WHERE normalized_email = lower(@email)", identityDb);
        count.Parameters.AddWithValue("email", user.Email);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task LoginReturnsATokenPairWhateverTheEmailCase()
    {
        var user = await Accounts.RegisterAsync(Gateway);

        var tokens = await Accounts.LoginAsync(Gateway, user.Email.ToUpperInvariant());

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.Equal(2_592_000, tokens.RefreshExpiresIn);
        Assert.Equal(user.Id, tokens.UserId);
        // ≥ 256 random bits, base64url: at least 43 characters.
        Assert.True(tokens.RefreshToken.Length >= 43);
    }

    [Fact]
    public async Task UnknownEmailAndWrongPasswordGetTheSame401()
    {
        var user = await Accounts.RegisterAsync(Gateway);

        var wrongPassword = await Requests.PostJsonAsync(Gateway, "/api/auth/login", new { email = user.Email, password = "not the password" });
        var unknownEmail = await Requests.PostJsonAsync(Gateway, "/api/auth/login", new { email = Accounts.UniqueEmail(), password = "not the password" });

        var first = await Problems.ExpectAsync(wrongPassword, HttpStatusCode.Unauthorized);
        var second = await Problems.ExpectAsync(unknownEmail, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", wrongPassword.Headers.WwwAuthenticate.ToString());
        Assert.Equal(wrongPassword.Headers.WwwAuthenticate.ToString(), unknownEmail.Headers.WwwAuthenticate.ToString());
        foreach (var property in new[] { "type", "title", "status", "detail" })
        {
            Assert.Equal(first.GetProperty(property).ToString(), second.GetProperty(property).ToString());
        }
    }

    [Fact]
    public async Task RefreshRotatesTheTokenAndTheOldOneStopsWorking()
    {
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;

        var refreshed = await Accounts.RefreshAsync(Gateway, tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var next = await Tokens.ReadAsync(refreshed);
        Assert.NotEqual(tokens.RefreshToken, next.RefreshToken);
        Assert.Equal(Tokens.Part(tokens.AccessToken, 1).GetProperty("sid").GetString(), Tokens.Part(next.AccessToken, 1).GetProperty("sid").GetString());

        var again = await Accounts.RefreshAsync(Gateway, next.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task ReusingARotatedRefreshTokenIs401AndRevokesTheWholeSession()
    {
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;
        var next = await Tokens.ReadAsync(await Accounts.RefreshAsync(Gateway, tokens.RefreshToken));

        var reuse = await Accounts.RefreshAsync(Gateway, tokens.RefreshToken);
        await Problems.ExpectAsync(reuse, HttpStatusCode.Unauthorized);

        // The newest refresh token of the session stops working too, and so do its access tokens.
        await Problems.ExpectAsync(await Accounts.RefreshAsync(Gateway, next.RefreshToken), HttpStatusCode.Unauthorized);
        await Problems.ExpectAsync(await Accounts.LogoutAsync(Gateway, next.AccessToken, next.RefreshToken), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OfConcurrentRefreshesWithOneTokenExactlyOneSucceeds()
    {
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Accounts.RefreshAsync(Gateway, tokens.RefreshToken)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
    }

    [Fact]
    public async Task LogoutRevokesTheSessionItsRefreshTokenAndItsAccessTokens()
    {
        var user = await Accounts.CreateAsync(Gateway);
        var tokens = user.Tokens;
        var otherSession = await Accounts.LoginAsync(Gateway, user.Email);

        var logout = await Accounts.LogoutAsync(Gateway, tokens.AccessToken, tokens.RefreshToken);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await Problems.ExpectAsync(await Accounts.RefreshAsync(Gateway, tokens.RefreshToken), HttpStatusCode.Unauthorized);
        var reused = await Accounts.LogoutAsync(Gateway, tokens.AccessToken, tokens.RefreshToken);
        await Problems.ExpectAsync(reused, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", reused.Headers.WwwAuthenticate.ToString());
        // Another login session of the same user is untouched.
        Assert.Equal(HttpStatusCode.OK, (await Accounts.RefreshAsync(Gateway, otherSession.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task LogoutWithoutABearerTokenIs401()
    {
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;

        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/logout", new { refreshToken = tokens.RefreshToken });

        await Problems.ExpectAsync(response, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.OK, (await Accounts.RefreshAsync(Gateway, tokens.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task AGarbageRefreshTokenIs401()
    {
        var response = await Accounts.RefreshAsync(Gateway, "not-a-token-we-ever-issued");

        await Problems.ExpectAsync(response, HttpStatusCode.Unauthorized);
    }
}
