using Gateway.Application;
using Gateway.Domain;
using Gateway.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults.Input;

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

    public sealed record SessionResponse(string SessionId, string PublicKey, string ExpiresAt);

    /// <summary>The handshake body <c>{publicKey}</c>, bound by the shared input layer.</summary>
    /// <param name="PublicKey">base64url of the client's uncompressed P-256 point (65 bytes).</param>
    public sealed record SessionRequest(string PublicKey) : IBindableFromHttpContext<SessionRequest>
    {
        public static ValueTask<SessionRequest?> BindAsync(HttpContext context, System.Reflection.ParameterInfo parameter) =>
            JsonObjectBody.BindAsync(context, body =>
            {
                var publicKey = body.RequiredString("publicKey");
                if (publicKey.Length == 0)
                {
                    body.AddErrorUnlessRefused("publicKey", "must be base64url of an uncompressed P-256 point (65 bytes)");
                }
                return new SessionRequest(publicKey);
            });
    }

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> CreateAsync(
        SessionRequest request, CreateSession createSession, HttpResponse response)
    {
        var publicKey = request.PublicKey;
        CreatedSession? session;
        try
        {
            session = Base64Url.TryDecode(publicKey, out var point) ? await createSession.ExecuteAsync(point) : null;
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            // A session only one replica knows would fail on the next request elsewhere: refuse it honestly.
            return ProblemResponses.Unavailable(response);
        }
        if (session is null)
        {
            return ProblemResponses.Result(StatusCodes.Status400BadRequest, "publicKey is not an uncompressed P-256 point on the curve.");
        }

        return TypedResults.Created((string?)null, new SessionResponse(session.SessionId, session.PublicKey,
            session.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
