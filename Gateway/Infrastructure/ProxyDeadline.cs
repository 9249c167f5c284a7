using Microsoft.AspNetCore.Http.Timeouts;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Infrastructure;

/// <summary>
/// The gateway's deadline is the services' one (<c>RequestDeadline</c>, ASP.NET Core request timeouts, which
/// YARP applies to every route without a <c>Timeout</c>/<c>TimeoutPolicy</c> of its own; <c>/ws</c> disables it).
/// It bounds the wait for an answer, not the copying of one: once a destination's response headers have
/// arrived, the timeout is switched off, so an answer that came just in time is not cut off mid-body.
/// </summary>
public static class ProxyDeadline
{
    public static IReverseProxyBuilder AddProxyDeadline(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(transforms => transforms.AddResponseTransform(context =>
        {
            context.HttpContext.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
            return ValueTask.CompletedTask;
        }));
}
