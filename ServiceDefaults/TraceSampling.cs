using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every service records in its traces, and what it keeps out of them.</summary>
internal static class TraceSampling
{
    /// <summary>
    /// Background work that finds nothing to do makes no trace (contract §6). A database, Redis or HTTP call made
    /// outside any trace — an outbox poll that finds nothing, the Redis client's keep-alive PING, a health check's
    /// <c>SELECT 1</c> — would otherwise be a trace of its own, about one a second per service; such client calls
    /// are recorded only inside a trace. Work worth reading starts its own span (a request, <c>outbox deliver</c>,
    /// <c>realtime deliver</c>), and everything under it is kept.
    /// </summary>
    public static TracerProviderBuilder RecordClientCallsOnlyInsideTraces(this TracerProviderBuilder tracing) =>
        tracing.SetSampler(new ParentBasedSampler(new NoRootClientSpans()));

    /// <summary>
    /// A WebSocket client may carry its access token in <c>?access_token=</c>, which the gateway and the realtime
    /// service see in their server spans' <c>url.query</c>; the attribute keeps the name only.
    /// </summary>
    public static IServiceCollection RedactAccessTokenFromTraces(this IServiceCollection services) =>
        services.Configure<AspNetCoreTraceInstrumentationOptions>(options =>
        {
            var previous = options.EnrichWithHttpRequest;
            options.EnrichWithHttpRequest = (activity, request) =>
            {
                previous?.Invoke(activity, request);
                if (request.Query.ContainsKey("access_token"))
                {
                    activity.SetTag("url.query", "?access_token=REDACTED");
                }
            };
        });

    private sealed class NoRootClientSpans : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
            new(parameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
    }
}
