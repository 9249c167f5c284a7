using System.Diagnostics;
using OpenTelemetry.Instrumentation.AspNetCore;

namespace RealtimeService.Infrastructure;

/// <summary>
/// The access token may travel in <c>?access_token=</c>. The OpenTelemetry ASP.NET Core instrumentation already
/// redacts query values by default, but an environment variable can turn that off; this keeps the trace
/// attribute free of the token regardless.
/// </summary>
public static class QueryRedaction
{
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

}
