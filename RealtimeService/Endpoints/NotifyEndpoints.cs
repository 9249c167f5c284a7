using System.Text.Json;
using RealtimeService.Application;

namespace RealtimeService.Endpoints;

/// <summary>
/// <c>POST /internal/notify</c> <c>{"userId"?, "title", "body"}</c> → 202 (internal contract 2). Other
/// services call it on this service's own port; the gateway has no route to it.
/// </summary>
public static class NotifyEndpoints
{
    public const int MaxTitleLength = 200;
    public const int MaxBodyLength = 4000;

    public static IEndpointRouteBuilder MapNotifyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/notify", NotifyAsync);
        return app;
    }

    private static async Task<IResult> NotifyAsync(HttpContext context, NotifyUsers notify)
    {
        if (!context.Request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
                detail: "The body must be application/json.");
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "The body is not valid JSON.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "The body must be a JSON object.");
            }
            var errors = new Dictionary<string, string[]>();
            var root = document.RootElement;
            Guid? userId = null;
            if (root.TryGetProperty("userId", out var user) && user.ValueKind != JsonValueKind.Null)
            {
                if (user.ValueKind == JsonValueKind.String && Guid.TryParse(user.GetString(), out var parsed))
                {
                    userId = parsed;
                }
                else
                {
                    errors["userId"] = ["Must be a UUID, or null for everyone."];
                }
            }
            var title = RequiredText(root, "title", MaxTitleLength, errors);
            var body = RequiredText(root, "body", MaxBodyLength, errors);
            if (errors.Count > 0)
            {
                return TypedResults.Problem(new HttpValidationProblemDetails(errors)
                {
                    Status = StatusCodes.Status422UnprocessableEntity,
                    Title = "One or more fields are invalid.",
                    Detail = "See errors for each field.",
                });
            }
            await notify.ExecuteAsync(userId, title!, body!, context.RequestAborted);
            return TypedResults.Accepted((string?)null);
        }
    }

    private static string? RequiredText(JsonElement root, string name, int maxLength, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            errors[name] = ["Required, a string."];
            return null;
        }
        var text = value.GetString()!;
        if (text.Length == 0 || text.Length > maxLength)
        {
            errors[name] = [$"Must be 1–{maxLength} characters."];
            return null;
        }
        return text;
    }
}
