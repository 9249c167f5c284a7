using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>/health</c>'s body: the bare status (<c>Healthy</c>, as probes expect) by default; with
/// <c>Accept: application/json</c> the <c>reason</c> (what is not Healthy, one line per check: "postgresql: …")
/// and every check's status, description and data, for an operator. The port is never routed by the gateway, so
/// the detail is not public.
/// </summary>
internal static class HealthReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var accept = context.Request.GetTypedHeaders().Accept;
        if (!accept.Any(type => type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync(report.Status.ToString());
        }
        var detail = new
        {
            status = report.Status.ToString(),
            reason = Reason(report),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description, data = entry.Value.Data }),
        };
        return context.Response.WriteAsJsonAsync(detail, Json);
    }

    /// <summary>Null when everything is Healthy; otherwise each check that is not, with its description.</summary>
    internal static string? Reason(HealthReport report)
    {
        var failing = report.Entries
            .Where(entry => entry.Value.Status != HealthStatus.Healthy)
            .OrderBy(entry => entry.Value.Status)
            .Select(entry => $"{entry.Key}: {entry.Value.Description ?? entry.Value.Status.ToString()}")
            .ToList();
        return failing.Count == 0 ? null : string.Join("; ", failing);
    }
}
