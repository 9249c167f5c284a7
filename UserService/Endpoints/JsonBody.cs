using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace UserService.Endpoints;

/// <summary>
/// Reads a request body as a JSON object, answering the errors of contract §1 itself:
/// 415 for another media type, 400 for malformed JSON or a body that is not an object, 413 past the limit.
/// </summary>
public static class JsonBody
{
    public static async Task<(JsonElement Body, IResult? Error)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return (default, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "The body must be application/json."));
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (default, Problems.Status(StatusCodes.Status400BadRequest, "Bad request", "The body must be a JSON object."));
            }
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            return (default, Problems.Status(StatusCodes.Status400BadRequest, "Bad request", "The body is not valid JSON."));
        }
        catch (BadHttpRequestException e)
        {
            return (default, Problems.Status(e.StatusCode, e.StatusCode == 413 ? "Payload too large" : "Bad request", null));
        }
    }

    /// <summary><c>application/json</c>, <c>application/merge-patch+json</c> or any other <c>+json</c>, any charset.</summary>
    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }
        var type = media.MediaType.Value ?? "";
        var charset = media.Charset.Value;
        return (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
            && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }
}

public static class Problems
{
    public static ProblemHttpResult Status(int status, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "One or more fields are invalid.",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult NotFound(string detail) => Status(StatusCodes.Status404NotFound, "Not found", detail);
}
