using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace AppHost;

public static class TelemetryExportExtensions
{
    /// <summary>
    /// Normally every service exports OTLP to the dashboard (Aspire sets the endpoint). With
    /// <c>Telemetry:OtlpEndpoint</c> set, every project resource exports to that OTLP/HTTP (protobuf) endpoint instead,
    /// batching for <c>Telemetry:ExportIntervalMilliseconds</c> (default 1000) — how a test reads what the services
    /// really export, or how an operator points the system at a collector of their own.
    /// </summary>
    public static IDistributedApplicationBuilder WithTelemetryExportOverride(this IDistributedApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["Telemetry:OtlpEndpoint"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return builder;
        }
        var interval = builder.Configuration.GetValue("Telemetry:ExportIntervalMilliseconds", 1000).ToString(CultureInfo.InvariantCulture);

        // At BeforeStart every project resource exists, replicas included; this callback runs after Aspire's own
        // OTLP callback, so its values win.
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            foreach (var project in @event.Model.Resources.OfType<ProjectResource>())
            {
                project.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
                {
                    environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
                    environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                    environment.Remove("OTEL_EXPORTER_OTLP_HEADERS"); // the dashboard's API key is not the collector's
                    environment["OTEL_METRIC_EXPORT_INTERVAL"] = interval;
                    environment["OTEL_BSP_SCHEDULE_DELAY"] = interval;
                    environment["OTEL_BLRP_SCHEDULE_DELAY"] = interval;
                }));
            }
            return Task.CompletedTask;
        });
        return builder;
    }
}
