using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Input;

/// <summary>
/// The one problem factory: endpoints return <see cref="Result"/>/<see cref="Validation"/>, middleware calls
/// <see cref="WriteAsync"/>. All go through <see cref="IProblemDetailsService"/>, whose customization
/// (<see cref="ProblemCatalog.Apply"/>) fills type, title, traceId and instance the same way everywhere.
/// </summary>
public static class ProblemResponses
{
    public static ProblemHttpResult Result(int status, string? detail = null) =>
        TypedResults.Problem(statusCode: status, detail: detail);

    /// <summary>422 with <c>errors</c> naming every bad field (camelCase, as in the request).</summary>
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(Create(StatusCodes.Status422UnprocessableEntity, "See errors for each field.", errors));

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>
    /// 503 for a dependency that is down or does not answer (contract §1): with <c>Retry-After</c>, and like every
    /// 5xx without detail. For an endpoint's result; middleware uses <see cref="WriteUnavailableAsync"/>.
    /// </summary>
    public static ProblemHttpResult Unavailable(HttpResponse response)
    {
        response.Headers.RetryAfter = DependencyFailure.RetryAfterHeaderValue;
        return Result(StatusCodes.Status503ServiceUnavailable);
    }

    /// <inheritdoc cref="Unavailable"/>
    public static Task WriteUnavailableAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = DependencyFailure.RetryAfterHeaderValue;
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable);
    }

    public static async Task WriteAsync(HttpContext context, int status, string? detail = null, IDictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Create(status, detail, errors),
        });
    }

    internal static ProblemDetails Create(int status, string? detail, IDictionary<string, string[]>? errors) =>
        errors is null
            ? new ProblemDetails { Status = status, Detail = detail }
            : new HttpValidationProblemDetails(errors) { Status = status, Detail = detail };
}
