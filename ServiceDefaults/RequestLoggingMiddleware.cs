using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Writes exactly one structured record per request (contract §6). The path is logged without its
/// query string, because a WebSocket client may carry its access token there.
/// </summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (Extensions.IsProbe(context.Request.Path))
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var statusCode = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            statusCode = context.Response.StatusCode;
        }
        finally
        {
            var userId = context.User.FindFirstValue("sub") ?? context.User.FindFirstValue(ClaimTypes.NameIdentifier);
            RequestRecord.Write(logger, context, statusCode, started, userId);
        }
    }
}

/// <summary>
/// The one record per request, for the middleware above and for a request answered before it (a WebSocket
/// upgrade short-circuited by routing, whose record is written when the upgrade is answered).
/// </summary>
public static partial class RequestRecord
{
    /// <param name="startedTimestamp">From <see cref="Stopwatch.GetTimestamp"/> when the request reached the code.</param>
    public static void Write(ILogger logger, HttpContext context, int statusCode, long startedTimestamp, string? userId) =>
        LogRequest(logger,
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            statusCode,
            Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds,
            Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
            userId);

    [LoggerMessage(EventId = 1000, EventName = "RequestCompleted", Level = LogLevel.Information,
        Message = "HTTP {Method} {Path} responded {StatusCode} in {DurationMs:0.0} ms (trace {TraceId}, user {UserId})")]
    private static partial void LogRequest(ILogger logger, string method, string path, int statusCode,
        double durationMs, string traceId, string? userId);
}
