using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace ServiceDefaults.Input;

/// <summary>
/// Answers a refused body (<see cref="RequestInputException"/>) and Kestrel's own refusals
/// (<see cref="BadHttpRequestException"/>: 413 past the body limit, 400 for a broken request) as problems with
/// their own status instead of the exception handler's 500.
/// </summary>
internal sealed class RequestInputExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail, errors) = exception switch
        {
            RequestInputException refused => (refused.Status, refused.Message, refused.Errors),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (StatusCodes.Status413PayloadTooLarge, "The body exceeds the size limit.", null),
            BadHttpRequestException bad => (bad.StatusCode, "The request is malformed.", null),
            _ => (0, null, null),
        };
        if (status == 0)
        {
            return false;
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ProblemResponses.Create(status, detail, errors),
            Exception = exception,
        });
    }
}
