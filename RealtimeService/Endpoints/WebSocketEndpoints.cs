using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using RealtimeService.Application;
using ServiceDefaults.Input;

namespace RealtimeService.Endpoints;

/// <summary><c>GET /ws</c> (contract §4): the only route the gateway forwards here.</summary>
public static class WebSocketEndpoints
{
    /// <remarks>
    /// The request lives as long as the socket, and with it every middleware frame around the handler. So the
    /// endpoint short-circuits routing (answered by the routing middleware itself, before request logging, the
    /// exception handler, status pages, the request deadline and authentication), takes its dependencies once here instead of from a
    /// request service scope, and writes its own request record when the upgrade is answered.
    /// </remarks>
    public static IEndpointRouteBuilder MapWebSocketEndpoints(this IEndpointRouteBuilder app)
    {
        var upgrade = ActivatorUtilities.CreateInstance<WebSocketUpgrade>(app.ServiceProvider);
        // A socket lives for hours: the request deadline is for request/response calls only. (Short-circuited, the
        // endpoint never reaches the timeouts middleware either; the metadata says so wherever it is placed.)
        app.Map("/ws", upgrade.InvokeAsync).ShortCircuit().DisableRequestTimeout();
        return app;
    }
}

/// <summary>Answers one <c>/ws</c> request: refuses it as problem details, or upgrades it and runs the session.</summary>
internal sealed class WebSocketUpgrade(
    IAccessTokenValidator tokens,
    WebSocketSession session,
    GracefulShutdown shutdown,
    DiagnosticListener hostingDiagnostics,
    ILogger<WebSocketUpgrade> logger)
{
    private const string ConnectSpanStop = "Microsoft.AspNetCore.Hosting.HttpRequestIn.Stop";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, started, StatusCodes.Status400BadRequest, "This route takes only WebSocket upgrade requests.");
            return;
        }
        if (shutdown.IsStopping)
        {
            // Draining: 503 + Retry-After (contract §1); the client connects again and lands on another replica.
            context.Response.Headers.RetryAfter = DependencyFailure.RetryAfterHeaderValue;
            await RefuseAsync(context, started, StatusCodes.Status503ServiceUnavailable, detail: null);
            return;
        }

        AuthenticatedUser? user = null;
        if (context.Request.Query.TryGetValue("access_token", out var queryToken))
        {
            try
            {
                user = await tokens.ValidateAsync(queryToken.ToString(), context.RequestAborted);
            }
            catch (DependencyUnavailableException)
            {
                // The token may well be good: 503 + Retry-After (contract §1), not 401, so the client keeps it and retries.
                context.Response.Headers.RetryAfter = DependencyFailure.RetryAfterHeaderValue;
                await RefuseAsync(context, started, StatusCodes.Status503ServiceUnavailable, detail: null);
                return;
            }
            if (user is null)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                await RefuseAsync(context, started, StatusCodes.Status401Unauthorized, "The access token is invalid.");
                return;
            }
            // Nothing of the token stays on the request (no principal on context.User either; the session's own
            // log lines name the user and the connection).
            ForgetQueryToken(context);
        }

        // Keepalive is the contract's own ping/pong messages, so the protocol-level ping is off.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
        RequestRecord.Write(logger, context, StatusCodes.Status101SwitchingProtocols, started, user?.UserId.ToString());
        await session.RunAsync(socket, user, () => EndConnectSpan(context), context.RequestAborted);
    }

    /// <summary>A refused upgrade in the one problem shape (the catalog's type and title), and its request record.</summary>
    private async Task RefuseAsync(HttpContext context, long started, int status, string? detail)
    {
        await ProblemResponses.WriteAsync(context, status, detail);
        RequestRecord.Write(logger, context, status, started, userId: null);
    }

    /// <summary>
    /// Ends the request's server span once the connection is registered, as hosting would at the end of the request
    /// (through its diagnostic listener, so that the tracing instrumentation records status and route): a span as
    /// long as the socket would be unreadable, and what it holds (the Redis instrumentation's profiling session)
    /// would stay. Deliveries have traces of their own.
    /// </summary>
    private void EndConnectSpan(HttpContext context)
    {
        if (context.Features.Get<IHttpActivityFeature>()?.Activity is not { IsStopped: false } span)
        {
            return;
        }
        if (hostingDiagnostics.IsEnabled(ConnectSpanStop))
        {
            hostingDiagnostics.Write(ConnectSpanStop, context);
        }
        span.Stop();
    }

    /// <summary>
    /// Once validated, the token has no further use, but the request (and so its query) lives as long as the
    /// socket: clearing it frees the token text and its parsed query (about 1 KiB per idle connection).
    /// </summary>
    private static void ForgetQueryToken(HttpContext context)
    {
        var request = context.Features.GetRequiredFeature<IHttpRequestFeature>();
        request.QueryString = string.Empty;
        request.RawTarget = request.Path;
        context.Request.Query = QueryCollection.Empty;
    }
}
