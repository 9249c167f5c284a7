using Microsoft.AspNetCore.Http;

namespace ServiceDefaults.Input;

/// <summary>
/// One <c>type</c> and one <c>title</c> per status, whoever writes the problem (endpoint, rate limiter, Kestrel,
/// routing, authentication, YARP). The types are the RFC sections ASP.NET Core itself links for the statuses it
/// knows; the catalog adds those it leaves without a type (413, 429, 502 …).
/// </summary>
public static class ProblemCatalog
{
    private const string Rfc9110 = "https://tools.ietf.org/html/rfc9110#section-";

    private static readonly Dictionary<int, (string Type, string Title)> Entries = new()
    {
        [400] = (Rfc9110 + "15.5.1", "Bad Request"),
        [401] = (Rfc9110 + "15.5.2", "Unauthorized"),
        [403] = (Rfc9110 + "15.5.4", "Forbidden"),
        [404] = (Rfc9110 + "15.5.5", "Not Found"),
        [405] = (Rfc9110 + "15.5.6", "Method Not Allowed"),
        [406] = (Rfc9110 + "15.5.7", "Not Acceptable"),
        [408] = (Rfc9110 + "15.5.9", "Request Timeout"),
        [409] = (Rfc9110 + "15.5.10", "Conflict"),
        [411] = (Rfc9110 + "15.5.12", "Length Required"),
        [412] = (Rfc9110 + "15.5.13", "Precondition Failed"),
        [413] = (Rfc9110 + "15.5.14", "Content Too Large"),
        [414] = (Rfc9110 + "15.5.15", "URI Too Long"),
        [415] = (Rfc9110 + "15.5.16", "Unsupported Media Type"),
        [422] = (Rfc9110 + "15.5.21", "Unprocessable Content"),
        [426] = (Rfc9110 + "15.5.22", "Upgrade Required"),
        [429] = ("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"),
        [431] = ("https://tools.ietf.org/html/rfc6585#section-5", "Request Header Fields Too Large"),
        [500] = (Rfc9110 + "15.6.1", "Internal Server Error"),
        [501] = (Rfc9110 + "15.6.2", "Not Implemented"),
        [502] = (Rfc9110 + "15.6.3", "Bad Gateway"),
        [503] = (Rfc9110 + "15.6.4", "Service Unavailable"),
        [504] = (Rfc9110 + "15.6.5", "Gateway Timeout"),
    };

    public static (string Type, string Title) For(int status) =>
        Entries.TryGetValue(status, out var entry)
            ? entry
            : (Rfc9110 + (status >= 500 ? "15.6" : "15.5"),
               Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error");

    /// <summary>Gives a problem its catalog type and title; a writer's own title survives as the detail.</summary>
    public static void Apply(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        var (type, title) = For(status);
        if (problem.Detail is null && problem.Title is { } own && own != title && status < 500)
        {
            problem.Detail = own;
        }
        problem.Type = type;
        problem.Title = title;
        problem.Extensions.Remove("exception");
        problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        problem.Instance ??= context.HttpContext.Request.Path;
        if (status >= 500)
        {
            // A 5xx says only that something failed (contract §1): no exception text, no internal names.
            problem.Detail = null;
        }
        if (status == StatusCodes.Status401Unauthorized && context.HttpContext.Response.Headers.WWWAuthenticate.Count == 0
            && !context.HttpContext.Response.HasStarted)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        }
    }
}
