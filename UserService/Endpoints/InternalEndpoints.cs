using System.Text.Json;
using UserService.Application;
using UserService.Domain;

namespace UserService.Endpoints;

/// <summary>
/// Internal contract 1: <c>POST /internal/users</c>, called by the identity service's outbox on this
/// service's own port (the gateway routes no <c>/internal/*</c> path). 201 when created, 200 when the
/// userId already has a profile (idempotent: nothing changes).
/// </summary>
public static class InternalEndpoints
{
    public static IEndpointRouteBuilder MapInternalEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/internal/users", ProvisionAsync);
        return routes;
    }

    private static async Task<IResult> ProvisionAsync(HttpContext http, ProvisionProfile provision, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }
        var errors = new ValidationErrors();
        var request = Parse(body, errors);
        if (request is null)
        {
            return Problems.Validation(errors.ToDictionary());
        }
        var (profile, created) = await provision.HandleAsync(request, ct);
        var response = OwnProfileResponse.From(profile);
        return created
            ? TypedResults.Created($"/api/users/{profile.Id}", response)
            : TypedResults.Ok(response);
    }

    private static ProvisionRequest? Parse(JsonElement body, ValidationErrors errors)
    {
        Guid userId = default;
        if (!body.TryGetProperty("userId", out var id) || id.ValueKind != JsonValueKind.String || !id.TryGetGuid(out userId) || userId == Guid.Empty)
        {
            errors.Add("userId", "must be a UUID");
        }
        var email = body.TryGetProperty("email", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()!.Trim() : "";
        if (email.Length is 0 or > 320 || !email.Contains('@'))
        {
            errors.Add("email", "must be an email address");
        }
        var displayName = "";
        if (!body.TryGetProperty("displayName", out var name) || name.ValueKind != JsonValueKind.String)
        {
            errors.Add("displayName", "must be a string");
        }
        else
        {
            errors.AddIf("displayName", ProfileRules.CheckDisplayName(name.GetString(), out displayName));
        }
        DateTimeOffset createdAt = default;
        if (!body.TryGetProperty("createdAt", out var created) || created.ValueKind != JsonValueKind.String || !created.TryGetDateTimeOffset(out createdAt))
        {
            errors.Add("createdAt", "must be an ISO 8601 timestamp");
        }
        return errors.Any ? null : new ProvisionRequest(userId, email, displayName, createdAt);
    }
}
