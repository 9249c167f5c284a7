using Gateway.Endpoints;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Infrastructure.Documentation;

/// <summary>Registers and maps the client developer's view: OpenAPI documents, <c>/docs</c>, the browser client.</summary>
public static class DocumentationSetup
{
    public static WebApplicationBuilder AddClientDocumentation(this WebApplicationBuilder builder)
    {
        // With a build (not publish) manifest, MapStaticAssets also maps a GET/HEAD fallback {**path:file} at the root
        // for files added after the build. It made routing answer 405 "Allow: GET, HEAD" to any other method on a path
        // nothing serves (POST /internal/users must be 404). The client's files are all in the manifest: not needed.
        builder.Configuration["DisableStaticAssetNotFoundRuntimeFallback"] = "true";
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddHttpClient<ServiceDocuments>();
        builder.Services.AddContractOpenApi(DocumentationEndpoints.GatewayDocument, "Gateway",
            description => description.RelativePath == "api/session");
        builder.Services.Configure<OpenApiOptions>(DocumentationEndpoints.GatewayDocument, options =>
            options.AddDocumentTransformer((document, context, _) =>
            {
                if (context.ApplicationServices.GetRequiredService<IHttpContextAccessor>().HttpContext is { } http)
                {
                    document.Servers = [new OpenApiServer { Url = ServiceDocuments.GatewayOrigin(http.Request), Description = ServiceDocuments.ServerDescription }];
                }
                return Task.CompletedTask;
            }));
        return builder;
    }

    /// <summary>After the edge pipeline: every response then carries its Content-Security-Policy.</summary>
    public static WebApplication MapClientDocumentation(this WebApplication app)
    {
        app.UseMiddleware<ContentSecurityPolicyMiddleware>();
        app.MapDocumentationEndpoints();
        return app;
    }
}
