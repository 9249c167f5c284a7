using Gateway.Infrastructure.Documentation;
using Gateway.Infrastructure.RateLimiting;
using Scalar.AspNetCore;
using ServiceDefaults.Input;

namespace Gateway.Endpoints;

/// <summary>
/// What a client developer gets from the gateway (contract §5, §7), all in the public rate tier:
/// <c>/openapi/{identity,users,gateway}.json</c>, the interactive documentation at <c>/docs</c>, and the browser
/// client at <c>/</c> with its files under <c>/client/</c>.
/// </summary>
public static class DocumentationEndpoints
{
    public const string GatewayDocument = "gateway";

    public static IEndpointRouteBuilder MapDocumentationEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var name in ServiceDocuments.Sources.Keys)
        {
            app.MapGet($"/openapi/{name}.json", (HttpContext context, ServiceDocuments documents) => ServiceDocumentAsync(name, context, documents))
                .ExcludeFromDescription()
                .RequireRateLimiting(RateLimitingSetup.Public);
        }
        app.MapOpenApi($"/openapi/{{documentName:regex(^{GatewayDocument}$)}}.json").RequireRateLimiting(RateLimitingSetup.Public);

        app.MapScalarApiReference(ContentSecurityPolicyMiddleware.DocsPath, options => options
                .WithTitle("Distributed — API reference")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddDocument("identity", "Identity — /api/auth, /.well-known", isDefault: true)
                .AddDocument("users", "Users — /api/users")
                .AddDocument(GatewayDocument, "Gateway — /api/session (payload encryption)")
                // Nothing from outside: no font CDN, no telemetry, no hosted AI agent or MCP, no request proxy.
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .WithNonce())
            .RequireRateLimiting(RateLimitingSetup.Public);

        app.MapStaticAssets().RequireRateLimiting(RateLimitingSetup.Public);
        app.MapGet("/", (IWebHostEnvironment environment) =>
                TypedResults.PhysicalFile(Path.Combine(environment.WebRootPath, "index.html"), "text/html; charset=utf-8"))
            .ExcludeFromDescription()
            .RequireRateLimiting(RateLimitingSetup.Public);
        return app;
    }

    private static async Task<IResult> ServiceDocumentAsync(string name, HttpContext context, ServiceDocuments documents)
    {
        var document = await documents.FetchAsync(name, ServiceDocuments.GatewayOrigin(context.Request), context.RequestAborted);
        if (document is null)
        {
            context.Response.Headers.RetryAfter = "5";
            return ProblemResponses.Result(StatusCodes.Status503ServiceUnavailable, $"The {name} service did not provide its document in time; retry later.");
        }
        return TypedResults.Text(document.ToJsonString(), "application/json; charset=utf-8");
    }
}
