using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service in the system shares: telemetry, health endpoints, service discovery,
/// resilient HttpClients, one request deadline, RFC 9457 problem details and one log record per request.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        var deadline = RequestDeadline.Of(builder.Configuration);
        builder.Services.AddRequestDeadline(deadline);
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler(options => RequestDeadline.FitInside(options, deadline));
            http.AddServiceDiscovery();
        });
        builder.Services.AddProblemDetailsDefaults();
        builder.Services.AddSingleton<RedisBreaker>();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Polly logs every pipeline execution at Information; breaker state changes come at Warning and above.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                // ASP.NET Core's meters: hosting, Kestrel (connections, WebSocket upgrades), routing,
                // diagnostics and rate limiting (aspnetcore.rate_limiting.* by policy = tier and result).
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // A service's own instruments: one Meter named after the service, like its ActivitySource.
                .AddMeter(builder.Environment.ApplicationName)
                // Breaker state changes and timeouts of every resilience pipeline (resilience.polly.strategy.events).
                .AddMeter("Polly"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes every few seconds would bury the traces people come to read.
                    options.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .RecordClientCallsOnlyInsideTraces());
        builder.Services.RedactAccessTokenFromTraces();

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
            // Over OTLP/HTTP the exporter takes these named clients from the factory: without the standard resilience
            // handler, whose retries would resend telemetry and whose log record per attempt would be exported in turn.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented opt-out, still marked experimental
            foreach (var exporterClient in (string[])["OtlpTraceExporter", "OtlpMetricExporter", "OtlpLogExporter"])
            {
                builder.Services.AddHttpClient(exporterClient).RemoveAllResilienceHandlers();
            }
#pragma warning restore EXTEXP0001
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Adds the shared middleware (problem details for errors, per-request log record, the request deadline) at the
    /// start of the pipeline. The deadline reads the endpoint's own policy (<c>DisableRequestTimeout</c>), so routing
    /// must have run: implicitly at the start (services) or by an explicit <c>UseRouting</c> before this (gateway).
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every registered check; each check's detail as JSON when asked with
    /// <c>Accept: application/json</c>) and <c>/alive</c> (liveness: only the process itself).
    /// A Degraded dependency still answers 200 so that it never takes the service out of rotation.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var statusCodes = new Dictionary<HealthStatus, int>
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        };
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResultStatusCodes = statusCodes, ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResultStatusCodes = statusCodes,
        });
        return app;
    }

    internal static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);
}
