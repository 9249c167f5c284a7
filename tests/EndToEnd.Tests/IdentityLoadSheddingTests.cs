using System.Net;
using AppHost;

namespace EndToEnd.Tests;

/// <summary>
/// A burst of logins is bounded: beyond the hashing slots and the short queue the answer is 503 with
/// Retry-After, never a 500, and the identity service's other endpoints keep answering meanwhile.
/// Sent to the service's own port, so that the gateway's per-IP rate limit does not hide the behaviour.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class IdentityLoadSheddingTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task TwoHundredConcurrentLoginsAreShedWith503AndRetryAfterWhileJwksStillAnswers()
    {
        var user = await Accounts.RegisterAsync(fixture.Gateway);
        using var identity = fixture.App.CreateHttpClient(ResourceNames.IdentityService, "http");
        identity.Timeout = TimeSpan.FromMinutes(2);

        var logins = Enumerable.Range(0, 200)
            .Select(_ => Requests.PostJsonAsync(identity, "/api/auth/login", new { email = user.Email, password = Accounts.Password }))
            .ToList();
        var jwksDuringBurst = await identity.GetAsync("/.well-known/jwks.json");
        var responses = await Task.WhenAll(logins);

        Assert.Equal(HttpStatusCode.OK, jwksDuringBurst.StatusCode);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"unexpected {r.StatusCode}"));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var shed = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(shed);
        Assert.All(shed, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        await Problems.ExpectAsync(shed[0], HttpStatusCode.ServiceUnavailable);
    }
}
