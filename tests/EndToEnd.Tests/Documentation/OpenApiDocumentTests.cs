using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using EndToEnd.Tests.Browser;

namespace EndToEnd.Tests.Documentation;

/// <summary>
/// Contract §5: the gateway serves one OpenAPI 3.1 document per part of the API, each listing exactly the public
/// routes of §2, §3 and §5.1 with the gateway as its server, and interactive documentation that works offline.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class OpenApiDocumentTests(DistributedAppFixture fixture)
{
    /// <summary>The contract's route tables, written out here independently of the code.</summary>
    public static readonly Dictionary<string, string[]> ContractRoutes = new()
    {
        ["identity"] =
        [
            "POST /api/auth/register", "POST /api/auth/login", "POST /api/auth/refresh", "POST /api/auth/logout",
            "GET /.well-known/openid-configuration", "GET /.well-known/jwks.json",
        ],
        ["users"] = ["GET /api/users/me", "PATCH /api/users/me", "GET /api/users/{id}", "GET /api/users"],
        ["gateway"] = ["POST /api/session"],
    };

    /// <summary>The routes that need an access token, and so name the Bearer scheme.</summary>
    private static readonly string[] BearerRoutes = ["POST /api/auth/logout", "GET /api/users/me", "PATCH /api/users/me"];

    [Theory]
    [InlineData("identity")]
    [InlineData("users")]
    [InlineData("gateway")]
    public async Task EachDocumentListsExactlyTheContractRoutesWithTheGatewayAsServer(string name)
    {
        var document = await OpenApiDocument.FetchAsync(fixture.Gateway, name);

        Assert.StartsWith("3.1", document.Root["openapi"]!.GetValue<string>());
        Assert.Equal(ContractRoutes[name].Order(), document.Operations().Order());
        var servers = document.Root["servers"]!.AsArray();
        Assert.Equal(fixture.GatewayAddress.GetLeftPart(UriPartial.Authority), Assert.Single(servers)!["url"]!.GetValue<string>().TrimEnd('/'));
        foreach (var route in ContractRoutes[name].Where(r => r.StartsWith("POST") || r.StartsWith("PATCH")))
        {
            var parts = route.Split(' ');
            var operation = document.Operation(parts[0], parts[1]);
            Assert.True(operation["requestBody"]?["content"]?["application/json"]?["schema"] is not null, $"{route} documents no JSON body");
            foreach (var status in new[] { "400", "413", "415", "422", "429", "503" })
            {
                Assert.True(operation["responses"]?[status] is not null, $"{route} does not document {status}");
            }
        }
        var text = document.Root.ToJsonString();
        Assert.DoesNotContain("/internal", text);
        Assert.DoesNotContain("/health", text);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("users")]
    public async Task RoutesThatNeedATokenNameTheBearerSchemeAndOthersDoNot(string name)
    {
        var document = await OpenApiDocument.FetchAsync(fixture.Gateway, name);

        var scheme = document.Root["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        foreach (var route in ContractRoutes[name])
        {
            var parts = route.Split(' ');
            var security = document.Operation(parts[0], parts[1])["security"] as JsonArray;
            var namesBearer = security?.Any(requirement => requirement!.AsObject().ContainsKey("Bearer")) == true;
            Assert.True(namesBearer == BearerRoutes.Contains(route), $"{route}: Bearer named = {namesBearer}");
            if (namesBearer)
            {
                Assert.NotNull(document.Operation(parts[0], parts[1])["responses"]!["401"]);
            }
        }
    }

    [Theory]
    [InlineData("/openapi/identity.json", "application/json")]
    [InlineData("/openapi/users.json", "application/json")]
    [InlineData("/openapi/gateway.json", "application/json")]
    [InlineData("/docs/", "text/html")]
    [InlineData("/", "text/html")]
    [InlineData("/client/main.js", "text/javascript")]
    public async Task DocumentsDocsAndClientAreServedInThePublicTier(string path, string mediaType)
    {
        var response = await fixture.Gateway.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("\"public\"", string.Join(",", response.Headers.GetValues("RateLimit-Policy")));
    }

    [Fact]
    public async Task ServicesOwnDocumentPathsAreNotReachableThroughTheGateway()
    {
        foreach (var path in new[] { "/openapi/v1.json", "/openapi/realtime.json", "/api/auth/openapi/v1.json", "/api/users/openapi/v1.json" })
        {
            var response = await fixture.Gateway.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [SkippableFact]
    public async Task TheInteractiveDocumentationShowsAllThreeDocumentsWithoutAnyOutsideRequest()
    {
        await using var browser = await BrowserHarness.LaunchAsync();
        await using var recorded = await browser.NewPageAsync(fixture.GatewayAddress);

        await recorded.Page.GotoAsync("/docs");
        await Assertions.Expect(recorded.Page.GetByRole(AriaRole.Heading, new() { Name = "Identity", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(recorded.Page.GetByText("/.well-known/jwks.json").First).ToBeVisibleAsync();
        await recorded.ScreenshotAsync("docs");

        // Scalar fetches the documents that are not shown first in the background: wait (bounded) until it has.
        bool Fetched(string name)
        {
            lock (recorded.Requests)
            {
                return recorded.Requests.Any(r => new Uri(r.Url).AbsolutePath == $"/openapi/{name}.json");
            }
        }
        await Poll.UntilAsync(() => Task.FromResult(ContractRoutes.Keys.All(Fetched)), TimeSpan.FromSeconds(30), "the page's requests for all three documents");
        Assert.Equal([fixture.GatewayAddress.GetLeftPart(UriPartial.Authority)], recorded.RequestOrigins());
        Assert.Empty(recorded.Errors);
    }
}
