using System.Text;
using Gateway.Domain;
using Gateway.Infrastructure.Encryption;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using ServiceDefaults.Input;

namespace Gateway.Infrastructure.Edge;

/// <summary>
/// Contract §5.1 steps 3–6. An <c>application/jose</c> request is decrypted and checked (tag, <c>htm</c>/<c>htu</c>,
/// <c>iat</c> window, replay) before anything is forwarded; the service sees the plaintext with <c>cty</c> as its
/// media type. Such a request, or one naming its session in <c>X-Session-Id</c>, gets its response body back as a
/// JWE. Applies to every proxied route except <c>/ws</c>; the switch makes it mandatory for <c>/api/*</c>.
/// </summary>
public sealed class PayloadEncryptionMiddleware(
    RequestDelegate next, SessionStore sessions, EncryptionMetrics metrics, IOptions<GatewayOptions> options, TimeProvider clock)
{
    public const string JoseMediaType = "application/jose";
    public const string SessionHeader = "X-Session-Id";

    private readonly EncryptionOptions _options = options.Value.Encryption;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await HandleAsync(context);
        }
        catch (Exception e) when ((e is StackExchange.Redis.RedisException or TimeoutException) && !context.Response.HasStarted)
        {
            // The session store is shared state; without it no replica can check a session or a replay.
            await ProblemResponses.WriteUnavailableAsync(context);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/ws") || request.Path.StartsWithSegments("/api/session") ||
            request.Path.StartsWithSegments("/health") || request.Path.StartsWithSegments("/alive"))
        {
            await next(context);
            return;
        }
        var mandatory = _options.Required && request.Path.StartsWithSegments("/api");

        var encrypted = string.Equals(request.ContentType?.Split(';')[0].Trim(), JoseMediaType, StringComparison.OrdinalIgnoreCase);
        var sessionId = request.Headers[SessionHeader].ToString();
        if (!encrypted && sessionId.Length == 0)
        {
            if (mandatory)
            {
                await RejectAsync(context, JweRejection.NotEncrypted, StatusCodes.Status400BadRequest, $"Every /api call must be an {JoseMediaType} body or name its session in {SessionHeader}.");
                return;
            }
            await next(context);
            return;
        }
        if (mandatory && !encrypted && request.ContentLength > 0)
        {
            await RejectAsync(context, JweRejection.NotEncrypted, StatusCodes.Status400BadRequest, $"Request bodies must be {JoseMediaType}.");
            return;
        }

        var method = request.Method;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? $"{request.Path}{request.QueryString}";
        byte[]? key;
        if (encrypted)
        {
            var jwe = JweCompact.TryParse(await ReadBodyAsync(request));
            if (jwe is null)
            {
                await RejectAsync(context, JweRejection.Malformed, StatusCodes.Status400BadRequest, "The body is not a dir/A256GCM JWE in compact form.");
                return;
            }
            if (sessionId.Length > 0 && sessionId != jwe.Header.Kid)
            {
                await RejectAsync(context, JweRejection.SessionMismatch, StatusCodes.Status400BadRequest, $"{SessionHeader} and the JWE kid differ.");
                return;
            }
            sessionId = jwe.Header.Kid;
            key = await sessions.FindAsync(sessionId);
            if (key is null)
            {
                await RejectAsync(context, JweRejection.UnknownSession, StatusCodes.Status401Unauthorized, "The encryption session is unknown or expired.");
                return;
            }
            if (Reject(jwe, key, method, target) is { } rejection)
            {
                await RejectAsync(context, rejection.Reason, StatusCodes.Status400BadRequest, rejection.Detail);
                return;
            }
            if (!await sessions.TryMarkSeenAsync(jwe.Fingerprint(), 2 * _options.MaxClockSkew))
            {
                await RejectAsync(context, JweRejection.Replay, StatusCodes.Status400BadRequest, "This JWE was already used.");
                return;
            }

            var plaintext = jwe.TryDecrypt(key)!;
            RequestBodyMiddleware.ReplaceBody(context, new MemoryStream(plaintext));
            request.ContentType = jwe.Header.Cty;
        }
        else
        {
            key = await sessions.FindAsync(sessionId);
            if (key is null)
            {
                await RejectAsync(context, JweRejection.UnknownSession, StatusCodes.Status401Unauthorized, "The encryption session is unknown or expired.");
                return;
            }
        }

        request.Headers.Remove(SessionHeader);
        // The service must answer in plain bytes for us to encrypt; and ciphertext is not worth compressing.
        request.Headers.Remove("Accept-Encoding");
        await EncryptResponseAsync(context, key, sessionId, method, target);
    }

    /// <summary>Why a JWE is refused, or null when its tag, method, target and age all check out.</summary>
    private (string Reason, string Detail)? Reject(ParsedJwe jwe, byte[] key, string method, string target)
    {
        if (jwe.TryDecrypt(key) is null)
        {
            return (JweRejection.Decryption, "The JWE does not decrypt with the session key.");
        }
        if (!string.Equals(jwe.Header.Htm, method, StringComparison.Ordinal) || !string.Equals(jwe.Header.Htu, target, StringComparison.Ordinal))
        {
            return (JweRejection.Binding, "The JWE's htm/htu do not match this request.");
        }
        var age = clock.GetUtcNow().ToUnixTimeSeconds() - jwe.Header.Iat;
        return Math.Abs(age) > _options.MaxClockSkew.TotalSeconds ? (JweRejection.Expired, "The JWE's iat is outside the allowed window.") : null;
    }

    /// <summary>Counts the rejection by reason (gateway.encryption.rejections), then answers in the one problem shape.</summary>
    private Task RejectAsync(HttpContext context, string reason, int status, string detail)
    {
        metrics.Rejected(reason);
        return ProblemResponses.WriteAsync(context, status, detail);
    }

    private async Task EncryptResponseAsync(HttpContext context, byte[] key, string sessionId, string method, string target)
    {
        var response = context.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = original;
        }

        if (buffer.Length == 0)
        {
            return;
        }
        var header = new JweHeader(sessionId, response.ContentType ?? "application/octet-stream", method, target,
            clock.GetUtcNow().ToUnixTimeSeconds(), response.StatusCode);
        var jwe = JweCompact.EncryptToUtf8(header, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), key);
        response.Headers.Remove("Content-Encoding");
        response.ContentType = JoseMediaType;
        response.ContentLength = jwe.Length;
        await original.WriteAsync(jwe, context.RequestAborted);
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.ASCII, leaveOpen: true);
        return await reader.ReadToEndAsync();
    }
}
