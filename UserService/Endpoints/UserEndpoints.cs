using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using UserService.Application;
using ServiceDefaults.Input;
using ServiceDefaults.Text;
using UserService.Domain;

namespace UserService.Endpoints;

/// <summary>The public routes of contract §3, reached through the gateway under <c>/api/users</c>.</summary>
public static class UserEndpoints
{
    public const int MaxPageSize = 100;
    public const int MaxSearchLength = 100;

    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder routes)
    {
        var users = routes.MapGroup("/api/users").WithTags("Profiles").ProducesEdgeProblems();
        users.MapGet("/me", GetOwnAsync).RequireAuthorization().WithSummary("Your own profile, with its ETag")
            .Produces<OwnProfileResponse>().Produces(StatusCodes.Status304NotModified).ProducesUnauthorized().ProducesProblem(StatusCodes.Status404NotFound);
        users.MapPatch("/me", PatchOwnAsync).RequireAuthorization().WithSummary("Change your profile (merge patch; If-Match optional)")
            .AcceptsJson<ProfilePatchBody>("application/merge-patch+json").Produces<OwnProfileResponse>().ProducesUnauthorized()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        users.MapGet("/{id}", GetByIdAsync).WithSummary("A public profile (no email)")
            .Produces<PublicProfileResponse>().Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound);
        users.MapGet("/", SearchAsync).WithSummary("Search public profiles by display name")
            .Produces<ProfilePage>().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .AddOpenApiOperationTransformer(SearchParameters.DescribeAsync);
        return routes;
    }

    private static async Task<IResult> GetOwnAsync(ClaimsPrincipal user, HttpContext http, GetProfile getProfile, CancellationToken ct)
    {
        var profile = await getProfile.HandleAsync(SubjectOf(user), ct);
        return profile is null
            ? ProblemResponses.Result(StatusCodes.Status404NotFound, "This account has no profile yet.")
            : WithETag(http, profile, OwnProfileResponse.From(profile));
    }

    private static async Task<IResult> PatchOwnAsync(PatchProfileRequest request, ClaimsPrincipal user, HttpContext http, UpdateOwnProfile update, CancellationToken ct)
    {
        var patch = request.Patch;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        return await update.HandleAsync(SubjectOf(user), patch, ifMatch, ct) switch
        {
            UpdateResult.Updated(var profile) => WithETag(http, profile, OwnProfileResponse.From(profile), conditional: false),
            UpdateResult.PreconditionFailed(var current) => PreconditionFailed(http, current),
            // Saved, but another read could still show the older profile from the cache: not acknowledged.
            UpdateResult.CacheBehind => ProblemResponses.Unavailable(http.Response),
            _ => ProblemResponses.Result(StatusCodes.Status404NotFound, "This account has no profile yet."),
        };
    }

    private static async Task<IResult> GetByIdAsync(string id, HttpContext http, GetProfile getProfile, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var userId))
        {
            return ProblemResponses.Result(StatusCodes.Status404NotFound, "No user has this id.");
        }
        var profile = await getProfile.HandleAsync(userId, ct);
        return profile is null
            ? ProblemResponses.Result(StatusCodes.Status404NotFound, "No user has this id.")
            : WithETag(http, profile, PublicProfileResponse.From(profile));
    }

    private static async Task<IResult> SearchAsync(HttpRequest request, SearchProfiles search, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var page = ReadInt(request, "page", 1, 1, int.MaxValue, errors);
        var pageSize = ReadInt(request, "pageSize", 20, 1, MaxPageSize, errors);
        var term = request.Query["search"].ToString().Trim();
        if (request.Query["search"].Count > 1)
        {
            errors["search"] = ["must be given at most once"];
        }
        else if (TextRules.CodePoints(term) > MaxSearchLength)
        {
            errors["search"] = [$"must be at most {MaxSearchLength} characters"];
        }
        if (errors.Count > 0)
        {
            return ProblemResponses.Validation(errors);
        }
        return TypedResults.Ok(await search.HandleAsync(term.Length == 0 ? null : term, page, pageSize, ct));
    }

    private static int ReadInt(HttpRequest request, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        var values = request.Query[name];
        if (values.Count == 0 || (values.Count == 1 && string.IsNullOrEmpty(values[0])))
        {
            return fallback;
        }
        if (values.Count > 1 || !int.TryParse(values[0], System.Globalization.NumberStyles.None, null, out var value)
            || value < min || value > max)
        {
            errors[name] = [max == int.MaxValue ? $"must be a whole number of at least {min}" : $"must be a whole number from {min} to {max}"];
            return fallback;
        }
        return value;
    }

    /// <summary>The authenticated user's id; the shared JWT validation has already checked <c>sub</c> is a UUID.</summary>
    private static Guid SubjectOf(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue("sub")!);

    private static IResult WithETag<T>(HttpContext http, UserProfile profile, T body, bool conditional = true)
    {
        http.Response.Headers.ETag = profile.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        if (conditional && http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } ifNoneMatch
            && ifNoneMatch.Split(',', StringSplitOptions.TrimEntries).Any(tag => tag == "*" || EntityTagMatches(tag, profile.ETag)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Ok(body);
    }

    // If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"3" matches "3".
    private static bool EntityTagMatches(string tag, string etag) =>
        EntityTagHeaderValue.TryParse(tag, out var parsed) && parsed.Tag.Value == etag;

    private static ProblemHttpResult PreconditionFailed(HttpContext http, UserProfile current)
    {
        http.Response.Headers.ETag = current.ETag;
        return ProblemResponses.Result(StatusCodes.Status412PreconditionFailed, "The profile has changed since the given ETag; read it again and retry.");
    }
}
