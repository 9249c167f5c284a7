using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AppHost;
using Npgsql;

namespace EndToEnd.Tests;

/// <summary>
/// Contract §1's text rules through the gateway: registration refuses what the profile would (and then no account
/// exists), controls are 422 by field name, broken text is 400, never 500.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class RequestInputTests(DistributedAppFixture fixture)
{
    private HttpClient Gateway => fixture.Gateway;

    [Theory]
    [InlineData("A\u0007B")]
    [InlineData("A\u001BB")]
    [InlineData("A\u007FB")]
    [InlineData("A\u0085B")]
    [InlineData("A\nB")]
    [InlineData("A\u0000B")]
    public async Task RegistrationRefusesAControlCharacterInTheDisplayNameAndCreatesNoAccount(string displayName)
    {
        var email = Accounts.UniqueEmail("control");

        var response = await Requests.PostJsonAsync(Gateway, "/api/auth/register",
            new { email, password = Accounts.Password, displayName });

        var problem = await Problems.ExpectAsync(response, (HttpStatusCode)422);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["displayName"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Equal("must not contain control characters", errors.GetProperty("displayName")[0].GetString());
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await Requests.PostJsonAsync(Gateway, "/api/auth/login", new { email, password = Accounts.Password })).StatusCode);
        await using var identityDb = new NpgsqlConnection(await fixture.ConnectionStringAsync(ResourceNames.IdentityDatabase));
        await identityDb.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM accounts WHERE email = @email", identityDb);
        count.Parameters.AddWithValue("email", email);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("displayName", "A\u0000B", "must not contain control characters")]
    [InlineData("bio", "nul \u0000 here", "must not contain control characters other than line feeds and tabs")]
    [InlineData("bio", "bell \u0007", "must not contain control characters other than line feeds and tabs")]
    [InlineData("avatarUrl", "https://example.test/\u0000", "must not contain control characters")]
    public async Task APatchWithAControlCharacterIs422NamingTheFieldAndChangesNothing(string field, string value, string message)
    {
        var user = await Accounts.CreateAsync(Gateway);

        var response = await Gateway.SendAsync(Requests.Authorized(HttpMethod.Patch, "/api/users/me", user,
            new Dictionary<string, string> { [field] = value }));

        var problem = await Problems.ExpectAsync(response, (HttpStatusCode)422);
        Assert.Equal(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        var profile = await (await Gateway.SendAsync(Requests.Authorized(HttpMethod.Get, "/api/users/me", user))).JsonAsync();
        Assert.Equal(user.DisplayName, profile.GetProperty("displayName").GetString());
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("bio").ValueKind);
    }

    [Fact]
    public async Task ABioMayHoldLineFeedsAndTabs()
    {
        var user = await Accounts.CreateAsync(Gateway);

        var response = await Gateway.SendAsync(Requests.Authorized(HttpMethod.Patch, "/api/users/me", user,
            new { bio = "first line\n\tsecond line" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("first line\n\tsecond line", (await response.JsonAsync()).GetProperty("bio").GetString());
    }

    public static TheoryData<string, string> BrokenText => new()
    {
        { "/api/auth/register", """{"email":"a@example.com","password":"correct horse","displayName":"\ud800"}""" },
        { "/api/auth/register", """{"email":"a@example.com","password":"correct horse","displayName":"x\udfff"}""" },
        { "/api/users/me", """{"displayName":"\ud800"}""" },
        { "/api/users/me", """{"bio":"\udc00"}""" },
        { "/api/session", """{"publicKey":"\ud800"}""" },
    };

    [Theory]
    [MemberData(nameof(BrokenText))]
    public async Task AnEscapedLoneSurrogateIs400(string path, string body)
    {
        var response = await SendAsync(path, Encoding.UTF8.GetBytes(body), "application/json");

        var problem = await Problems.ExpectAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("surrogate", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/auth/register")]
    [InlineData("/api/users/me")]
    [InlineData("/api/session")]
    public async Task InvalidUtf8InsideAStringIs400(string path)
    {
        var body = Encoding.UTF8.GetBytes("""{"displayName":"ab","publicKey":"ab","email":"a@example.com","password":"correct horse"}""");
        body[Array.IndexOf(body, (byte)'b')] = 0xFF; // never valid in UTF-8

        var response = await SendAsync(path, body, "application/json");

        var problem = await Problems.ExpectAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("The body is not valid UTF-8.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/auth/register", "text/plain")]
    [InlineData("/api/users/me", "application/xml")]
    [InlineData("/api/session", "application/x-www-form-urlencoded")]
    public async Task AnotherMediaTypeIs415(string path, string mediaType)
    {
        var response = await SendAsync(path, Encoding.UTF8.GetBytes("{}"), mediaType);

        await Problems.ExpectAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task AWronglyTypedSessionKeyIs422NamingIt()
    {
        var response = await SendAsync("/api/session", Encoding.UTF8.GetBytes("""{"publicKey":42}"""), "application/json");

        var problem = await Problems.ExpectAsync(response, (HttpStatusCode)422);
        Assert.Equal("must be a string", problem.GetProperty("errors").GetProperty("publicKey")[0].GetString());
    }

    /// <summary>POSTs (or PATCHes /api/users/me, with a fresh user's token) raw bytes through the gateway.</summary>
    private async Task<HttpResponseMessage> SendAsync(string path, byte[] body, string mediaType)
    {
        var method = path == "/api/users/me" ? HttpMethod.Patch : HttpMethod.Post;
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        if (method == HttpMethod.Patch)
        {
            var user = await Accounts.CreateAsync(Gateway);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        }
        return await Gateway.SendAsync(request);
    }
}
