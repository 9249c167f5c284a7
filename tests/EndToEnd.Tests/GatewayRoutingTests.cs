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

        await Problems.ExpectAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task TheGatewayAnswersItsOwnProbes(string path)
    {
        var response = await fixture.Gateway.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/auth/health")]
    [InlineData("/api/users/health")]
    [InlineData("/.well-known/health")]
    public async Task ServicesOwnProbesAreNotReachableThroughTheGateway(string path)
    {
        var response = await fixture.Gateway.GetAsync(path);

        // The same answer as any unknown route: a 404 problem, not the service's probe.
        await Problems.ExpectAsync(response, HttpStatusCode.NotFound);
    }
}
