using Microsoft.AspNetCore.Http.Timeouts;
using ServiceDefaults.Input;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Infrastructure.Edge;

/// <summary>
/// YARP answers a destination it could not reach (502), one that did not answer before the request deadline
/// (504) or a cluster with no destination (503) with an empty body, and a request the deadline cancelled while it
/// waited for the destination as <c>RequestCanceled</c>/400 (seen here; so any forwarder error after the deadline counts). To a client they all mean the same thing — a service behind the
/// gateway is away — so they become the one 503 + <c>Retry-After</c> problem (contract §1), logged once at Warning
/// with the cluster's name. A service's own answer (its 503 included) passes untouched.
/// </summary>
public sealed partial class ForwarderErrorMiddleware(RequestDelegate next, ILogger<ForwarderErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        if (context.GetForwarderErrorFeature()?.Error is not { } error || context.Response.HasStarted
            || !(IsUnavailable(error) || DeadlinePassed(context)))
        {
            return;
        }
        var cluster = context.Features.Get<IReverseProxyFeature>()?.Cluster.Config.ClusterId ?? "unknown";
        LogUnavailable(logger, cluster, error, context.Request.Method, context.Request.Path.Value ?? "/", context.Response.StatusCode);
        context.Response.Clear();
        await ProblemResponses.WriteUnavailableAsync(context);
    }

    /// <summary>The destination is unreachable or slow; a client that went away or a broken response body is not.</summary>
    internal static bool IsUnavailable(ForwarderError error) => error is
        ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.NoAvailableDestinations
        or ForwarderError.RequestCreation or ForwarderError.ResponseHeaders;

    private static bool DeadlinePassed(HttpContext context) =>
        context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;

    [LoggerMessage(EventId = 1102, EventName = "DestinationUnavailable", Level = LogLevel.Warning,
        Message = "Cluster {Cluster} unavailable ({Error}): {Method} {Path} answered 503 instead of {ForwarderStatus}")]
    private static partial void LogUnavailable(ILogger logger, string cluster, ForwarderError error, string method, string path, int forwarderStatus);
}
