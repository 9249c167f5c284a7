using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using RealtimeService.Application;

namespace RealtimeService.Endpoints;

/// <summary><c>GET /ws</c> (contract §4): the only route the gateway forwards here.</summary>
public static class WebSocketEndpoints
{
    public static IEndpointRouteBuilder MapWebSocketEndpoints(this IEndpointRouteBuilder app)
    {
        // A socket lives for hours: the request deadline is for request/response calls only.
        app.Map("/ws", ConnectAsync).DisableRequestTimeout();
        return app;
    }

    private static async Task<IResult> ConnectAsync(
        HttpContext context,
        IAccessTokenValidator tokens,
        WebSocketSession session,
        GracefulShutdown shutdown)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request",
                detail: "This route takes only WebSocket upgrade requests.");
        }
        if (shutdown.IsStopping)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable",
                detail: "The server is shutting down; connect again.");
        }

        AuthenticatedUser? user = null;
        if (context.Request.Query.TryGetValue("access_token", out var queryToken))
        {
            user = await tokens.ValidateAsync(queryToken.ToString(), context.RequestAborted);
            if (user is null)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                    detail: "The access token is invalid.");
            }
            // The request lives as long as the socket: nothing of the token stays on it (no principal on
            // context.User; the session's own log lines name the user and the connection).
            ForgetQueryToken(context);
        }

        // Keepalive is the contract's own ping/pong messages, so the protocol-level ping is off.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
        await session.RunAsync(socket, user, context.RequestAborted);
        return TypedResults.Empty;
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
