using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UnitTests.Support;

namespace UnitTests.ServiceDefaults;

/// <summary>
/// The shared token validation of every HTTP service and the gateway, when the identity service's JWK set cannot be
/// fetched (and none is cached: a replica started while identity was down). Whether the token is good is unknown:
/// that is a dependency failure, 503 + Retry-After (contract §1), not a 401 that would make a client drop a good token.
/// Real HTTP on loopback: a service built from the shared defaults, and a JWK-set address nobody listens on.
/// </summary>
public sealed class UnreachableSigningKeysTests
{
    [Fact]
    public async Task ARequestWhoseTokenCannotBeCheckedIsAnswered503WithRetryAfter()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["Jwt:JwksUrl"] = $"http://127.0.0.1:{UnusedPort()}/.well-known/jwks.json";
        builder.AddServiceDefaults();
        builder.AddJwtValidation();
        builder.Services.AddSingleton<ISessionRevocationList, NothingRevoked>();
        var feed = builder.Services.Single(service => service.ImplementationType == typeof(RevocationFeed));
        builder.Services.Remove(feed); // it follows revocations in Redis, which this test has none of
        await using var app = builder.Build();
        app.UseServiceDefaults();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/protected", () => "ok").RequireAuthorization();
        await app.StartAsync();

        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/protected");
        // Well-formed and signed (by a key the service has no way to know of yet): only the keys can judge it.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.ForDefaultSettings());
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
