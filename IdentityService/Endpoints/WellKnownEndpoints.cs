using System.Text.Json.Serialization;
using IdentityService.Infrastructure;
using Microsoft.Extensions.Options;

namespace IdentityService.Endpoints;

/// <summary>The discovery document and the JWK set every validator reads (contract §2).</summary>
public static class WellKnownEndpoints
{
    public static IEndpointRouteBuilder MapWellKnownEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/.well-known").WithTags("Discovery").ProducesEdgeProblems();
        group.MapGet("/openid-configuration", (IOptions<TokenOptions> options) =>
        {
            var issuer = options.Value.Issuer;
            return TypedResults.Ok(new OpenIdConfiguration(issuer, $"{issuer.TrimEnd('/')}/.well-known/jwks.json"));
        });
        group.MapGet("/jwks.json", (HttpContext context, SigningKeyRing keys) =>
        {
            // Short enough that a newly added key is seen well before it starts signing.
            context.Response.Headers.CacheControl = "public, max-age=300";
            var set = keys.ToJsonWebKeySet();
            return TypedResults.Ok(new JwkSet(set.Keys.Select(k => new Jwk(k.Kty, k.Crv, k.X, k.Y, k.Kid, k.Use, k.Alg)).ToList()));
        });
        return app;
    }

    public sealed record OpenIdConfiguration(
        [property: JsonPropertyName("issuer")] string Issuer,
        [property: JsonPropertyName("jwks_uri")] string JwksUri)
    {
        [JsonPropertyName("id_token_signing_alg_values_supported")]
        public string[] SigningAlgorithms { get; } = ["ES256"];
    }

    public sealed record JwkSet([property: JsonPropertyName("keys")] IReadOnlyList<Jwk> Keys);

    public sealed record Jwk(
        [property: JsonPropertyName("kty")] string Kty,
        [property: JsonPropertyName("crv")] string Crv,
        [property: JsonPropertyName("x")] string X,
        [property: JsonPropertyName("y")] string Y,
        [property: JsonPropertyName("kid")] string Kid,
        [property: JsonPropertyName("use")] string Use,
        [property: JsonPropertyName("alg")] string Alg);
}
