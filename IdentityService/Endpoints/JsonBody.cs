using System.Text.Json;

namespace IdentityService.Endpoints;

/// <summary>
/// Reads a request body as a JSON object, so the endpoint decides the status (contract §1): 415 for another
/// media type, 400 for malformed JSON or a non-object, and a field map for 422.
/// </summary>
public sealed class JsonBody
{
    private readonly JsonElement _root;

    private JsonBody(JsonElement root) => _root = root;

    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    public static async Task<(JsonBody? Body, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type", detail: "The body must be application/json."));
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, BadRequest("The body must be a JSON object."));
            }
            return (new JsonBody(document.RootElement.Clone()), null);
        }
        catch (JsonException)
        {
            return (null, BadRequest("The body is not valid JSON."));
        }
    }

    /// <summary>A required string field; records "required" or "must be a string" under its name.</summary>
    public string? RequiredString(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            AddError(name, $"{name} is required.");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            AddError(name, $"{name} must be a string.");
            return null;
        }
        return value.GetString();
    }

    public void AddError(string name, string? message)
    {
        if (message is not null)
        {
            Errors[name] = Errors.TryGetValue(name, out var existing) ? [.. existing, message] : [message];
        }
    }

    public IResult ValidationProblem() => TypedResults.Problem(new HttpValidationProblemDetails(Errors)
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Title = "One or more fields are invalid.",
        Detail = "See errors for each field.",
    });

    private static IResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);
}
