using System.Text.Json;
using Gateway.Application;
using Gateway.Domain;
using Gateway.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Endpoints;

/// <summary><c>POST /api/session</c>: the encryption handshake of contract §5.1, answered by the gateway itself.</summary>
public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/session", CreateAsync)
            .RequireRateLimiting(RateLimitingSetup.Public)
            .WithTags("Payload encryption")
            .WithSummary("Open a payload-encryption session (contract §5.1)")
            .WithDescription("ECDH P-256 key agreement; the session key is HKDF-SHA256(x, salt = UTF-8(sessionId), info = \"gateway-session-v1\"). " +
                             "Then send requests as application/jose (JWE compact, dir + A256GCM) or name the session in X-Session-Id.")
            .AcceptsJson<SessionRequest>()
            .ProducesEdgeProblems();
        return app;
    }

    /// <param name="PublicKey">base64url of the client's uncompressed P-256 point (65 bytes).</param>
    public sealed record SessionRequest(string PublicKey);

    public sealed record SessionResponse(string SessionId, string PublicKey, string ExpiresAt);

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, CreateSession createSession)
    {
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send application/json.");
        }

        string? publicKey;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return BadRequest("The body must be a JSON object.");
            }
            publicKey = document.RootElement.TryGetProperty("publicKey", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return BadRequest("The body is not valid JSON.");
        }

        if (string.IsNullOrEmpty(publicKey))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Validation failed",
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = new Dictionary<string, string[]> { ["publicKey"] = ["Required: base64url of an uncompressed P-256 point (65 bytes)."] },
                });
        }
        CreatedSession? session;
        try
        {
            session = Base64Url.TryDecode(publicKey, out var point) ? await createSession.ExecuteAsync(point) : null;
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            // A session only one replica knows would fail on the next request elsewhere: refuse it honestly.
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sessions unavailable");
        }
        if (session is null)
        {
            return BadRequest("publicKey is not an uncompressed P-256 point on the curve.");
        }

        return TypedResults.Created((string?)null, new SessionResponse(session.SessionId, session.PublicKey,
            session.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);
}
