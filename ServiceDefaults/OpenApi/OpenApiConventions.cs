using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// OpenAPI metadata for the answers every public route can give (contract §1, §5), so that endpoints name only
/// what is their own: a JSON body brings 400/413/415/422, a token brings 401, and the edge brings 429 (rate limit,
/// from the gateway) and 503 (a dependency down).
/// </summary>
public static class OpenApiConventions
{
    /// <summary>A JSON request body of shape <typeparamref name="TBody"/>, and the problems a body can cause.</summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder, params string[] otherMediaTypes) where TBody : notnull =>
        builder.Accepts<TBody>("application/json", otherMediaTypes)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

    /// <summary>Needs a valid access token: 401 without one (the Bearer scheme is added by <see cref="ContractOpenApi"/>).</summary>
    public static RouteHandlerBuilder ProducesUnauthorized(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status401Unauthorized);

    /// <summary>What any route through the gateway may answer: 429 with Retry-After, 503 with Retry-After.</summary>
    public static TBuilder ProducesEdgeProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]),
            new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
}
