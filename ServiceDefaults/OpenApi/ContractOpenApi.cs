using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The OpenAPI 3.1 document a service publishes for client developers (contract §5): only its public routes
/// (<c>/api/*</c>, <c>/.well-known/*</c> — never <c>/internal/*</c> or the probes), the Bearer scheme on the routes
/// that require a token, and problem responses in the full shape of contract §1. The gateway serves it as
/// <c>/openapi/{service}.json</c> with itself as the server.
/// </summary>
public static class ContractOpenApi
{
    public const string BearerScheme = "Bearer";
    public const string ServiceDocumentName = "v1";
    public const string ServiceDocumentPath = "/openapi/v1.json";

    /// <summary>A service's document, served on its own port at <see cref="ServiceDocumentPath"/> for the gateway.</summary>
    public static IServiceCollection AddContractOpenApi(this IServiceCollection services, string title) =>
        services.AddContractOpenApi(ServiceDocumentName, title, IsPublicServiceRoute);

    public static IServiceCollection AddContractOpenApi(this IServiceCollection services, string documentName, string title,
        Func<ApiDescription, bool> include) =>
        services.AddOpenApi(documentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.ShouldInclude = include;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = title, Version = "1", Description = "See CONTRACT.md for the behaviour behind each route." };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An access token from POST /api/auth/login or /api/auth/refresh (ES256, typ at+jwt).",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                }
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // Every error body carries traceId and the four required members (contract §1), whoever writes it.
                if (typeof(ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type) && schema.Properties is not null)
                {
                    schema.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "W3C trace id (32 hex digits)." };
                    schema.Required = new HashSet<string> { "type", "title", "status", "traceId" };
                }
                return Task.CompletedTask;
            });
        });

    /// <summary>Maps the documents on this host's own port (the gateway re-serves a service's at its edge).</summary>
    public static IEndpointConventionBuilder MapContractOpenApi(this IEndpointRouteBuilder app) => app.MapOpenApi();

    private static bool IsPublicServiceRoute(ApiDescription description) =>
        description.RelativePath is { } path &&
        (path.StartsWith("api/", StringComparison.Ordinal) || path.StartsWith(".well-known/", StringComparison.Ordinal));
}
