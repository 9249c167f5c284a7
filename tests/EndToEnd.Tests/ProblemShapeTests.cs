using System.Net;
using System.Net.Http.Json;

namespace EndToEnd.Tests;

/// <summary>
/// Contract §1: every error body is the full problem shape, whoever writes it — routing, authentication, the rate
/// limiter, the body limit, a service behind the gateway — with the same type and title for the same status.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class ProblemShapeTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task RoutingsOwn405AtTheGatewayIsAProblem()
    {
        var response = await fixture.Gateway.DeleteAsync("/api/session");

        await Problems.ExpectAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task AServices405ThroughTheGatewayIsAProblem()
    {
        var response = await fixture.Gateway.PutAsJsonAsync("/api/auth/login", new { });

        await Problems.ExpectAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task TheAuthenticationChallengeIsA401ProblemWithWwwAuthenticate()
    {
        var response = await fixture.Gateway.GetAsync("/api/users/me");

        await Problems.ExpectAsync(response, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task ABadTokenIsA401ProblemWithWwwAuthenticate()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not.a.token");

        var response = await fixture.Gateway.SendAsync(request);

        await Problems.ExpectAsync(response, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task AClientThatAcceptsOnlyHtmlStillGetsAProblem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-route");
        request.Headers.Accept.ParseAdd("text/html");

        var response = await fixture.Gateway.SendAsync(request);

        await Problems.ExpectAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A413FromTheBodyLimitIsTheFullProblem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register") { Content = new ByteArrayContent(new byte[1024 * 1024 + 1]) };
        request.Content.Headers.ContentType = new("application/json");
        // As a client sending a megabyte should: the gateway refuses on the length alone and closes the connection,
        // so without 100-continue the client may still be writing the body when the 413 arrives (a broken pipe).
        request.Headers.ExpectContinue = true;

        var response = await fixture.Gateway.SendAsync(request);

        var problem = await Problems.ExpectAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("/api/auth/register", problem.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task A429KeepsItsHeadersAndCarriesTheFullProblem()
    {
        using var client = fixture.GatewayReplica(0, GatewayClients.UniqueLoopbackAddress());
        HttpResponseMessage response;
        var calls = 0;
        do
        {
            response = await client.PostAsJsonAsync("/api/auth/login", new { email = "nobody@example.test", password = "wrong password" });
        }
        while (response.StatusCode != HttpStatusCode.TooManyRequests && ++calls < 10);

        await Problems.ExpectAsync(response, HttpStatusCode.TooManyRequests);
        Assert.InRange(int.Parse(response.Headers.GetValues("Retry-After").Single()), 1, 60);
        Assert.Matches("^\"auth\";r=0;t=\\d+$", response.Headers.GetValues("RateLimit").Single());
    }
}
