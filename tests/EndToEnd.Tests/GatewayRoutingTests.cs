using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Contract §5: exactly the public routes reach their services through the gateway, and nothing else does.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class GatewayRoutingTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task WellKnownRoutesReachTheIdentityService()
    {
        var response = await fixture.Gateway.GetAsync("/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(document.GetProperty("issuer").GetString()));
        Assert.EndsWith("/.well-known/jwks.json", document.GetProperty("jwks_uri").GetString());
    }

    [Theory]
    [InlineData("/internal/users")]
    [InlineData("/internal/notify")]
    [InlineData("/api/auth/../../internal/users")]
    [InlineData("/no-such-route")]
    [InlineData("/api")]
    public async Task UnknownAndInternalRoutesAreProblemDetails404(string path)
    {
        var response = await fixture.Gateway.GetAsync(path);

        await AssertProblem(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task TheGatewayAnswersItsOwnProbes(string path)
    {
        var response = await fixture.Gateway.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/auth/health")]
    [InlineData("/api/users/health")]
    [InlineData("/.well-known/health")]
    public async Task ServicesOwnProbesAreNotReachableThroughTheGateway(string path)
    {
        var response = await fixture.Gateway.GetAsync(path);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Healthy", await response.Content.ReadAsStringAsync());
    }

    internal static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        if (ExpectedProblems.TryGetValue((int)status, out var expected))
        {
            Assert.Equal(expected.Type, problem.GetProperty("type").GetString());
            Assert.Equal(expected.Title, problem.GetProperty("title").GetString());
        }
        else
        {
            Assert.StartsWith("https://", problem.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        }
        return problem;
    }

    /// <summary>Contract §1: the same type and title for a status, whoever answers (gateway, framework, service).</summary>
    private static readonly Dictionary<int, (string Type, string Title)> ExpectedProblems = new()
    {
        [400] = ("https://tools.ietf.org/html/rfc9110#section-15.5.1", "Bad Request"),
        [401] = ("https://tools.ietf.org/html/rfc9110#section-15.5.2", "Unauthorized"),
        [404] = ("https://tools.ietf.org/html/rfc9110#section-15.5.5", "Not Found"),
        [405] = ("https://tools.ietf.org/html/rfc9110#section-15.5.6", "Method Not Allowed"),
        [409] = ("https://tools.ietf.org/html/rfc9110#section-15.5.10", "Conflict"),
        [412] = ("https://tools.ietf.org/html/rfc9110#section-15.5.13", "Precondition Failed"),
        [413] = ("https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large"),
        [415] = ("https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type"),
        [422] = ("https://tools.ietf.org/html/rfc9110#section-15.5.21", "Unprocessable Content"),
        [429] = ("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"),
        [503] = ("https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable"),
    };
}
