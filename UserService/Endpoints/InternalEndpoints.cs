using UserService.Application;

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

    private static async Task<IResult> ProvisionAsync(ProvisionProfileRequest request, ProvisionProfile provision, CancellationToken ct)
    {
        var (profile, created) = await provision.HandleAsync(request.Provision, ct);
        var response = OwnProfileResponse.From(profile);
        return created
            ? TypedResults.Created($"/api/users/{profile.Id}", response)
            : TypedResults.Ok(response);
    }
}
