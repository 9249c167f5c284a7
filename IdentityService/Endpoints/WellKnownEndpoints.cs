namespace IdentityService.Endpoints;

public static class WellKnownEndpoints
{
    public static IEndpointRouteBuilder MapWellKnownEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/.well-known");
        group.MapGet("/openid-configuration", (IConfiguration configuration) =>
        {
            var issuer = configuration["Jwt:Issuer"] ?? "http://localhost:8080";
            return TypedResults.Ok(new OpenIdConfiguration(issuer, $"{issuer.TrimEnd('/')}/.well-known/jwks.json"));
        });
        return app;
    }

    public sealed record OpenIdConfiguration(
        [property: System.Text.Json.Serialization.JsonPropertyName("issuer")] string Issuer,
        [property: System.Text.Json.Serialization.JsonPropertyName("jwks_uri")] string JwksUri);
}
