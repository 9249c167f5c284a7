using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServiceDefaults.Input;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// An exception that says a dependency is unavailable (<see cref="DependencyFailure"/>) becomes 503 with
/// <c>Retry-After</c>, written through the one problem catalog, and one Warning naming the dependency;
/// anything else is left to the default handler (500).
/// </summary>
internal sealed partial class DependencyFailureExceptionHandler(IProblemDetailsService problems, ILogger<DependencyFailureExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (DependencyFailure.UnavailableDependency(exception) is not { } dependency || context.Response.HasStarted)
        {
            return false;
        }
        Log(logger, context, dependency, exception);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = DependencyFailure.RetryAfterHeaderValue;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ProblemResponses.Create(StatusCodes.Status503ServiceUnavailable, null, null),
            Exception = exception,
        });
    }

    /// <summary>The one Warning for a request answered 503 because a dependency is unavailable (also used where the
    /// failure reaches no exception handler: a token whose signing keys could not be fetched).</summary>
    internal static void Log(ILogger logger, HttpContext context, string dependency, Exception exception) =>
        LogUnavailable(logger, dependency, context.Request.Method, context.Request.Path.Value ?? "/", Describe(exception));

    /// <summary>The exception types down the chain (no messages: they may hold host names or SQL).</summary>
    private static string Describe(Exception exception)
    {
        var types = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            types.Add(e.GetType().Name);
        }
        return string.Join(" <- ", types);
    }

    [LoggerMessage(EventId = 1100, EventName = "DependencyUnavailable", Level = LogLevel.Warning,
        Message = "{Dependency} unavailable: {Method} {Path} answered 503 ({Cause})")]
    private static partial void LogUnavailable(ILogger logger, string dependency, string method, string path, string cause);
}
