using System.Security.Claims;
using IdentityService.Application;
using IdentityService.Domain;
using IdentityService.Infrastructure;
using ServiceDefaults.Input;

namespace IdentityService.Endpoints;

/// <summary>Contract §2: <c>/api/auth/register|login|refresh|logout</c>.</summary>
public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").AddEndpointFilter<PasswordHashingBusyFilter>().WithTags("Authentication").ProducesEdgeProblems();
        group.MapPost("/register", RegisterAsync).WithSummary("Create an account and its profile")
            .WithDescription("201 only once the profile exists. A 503 (or a lost answer) is retried by sending the same " +
                             "registration again: with the same address and password it answers 201 with the same account; " +
                             "another password gets 409.")
            .AcceptsJson<RegisterBody>().Produces<RegisteredAccount>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/login", LoginAsync).WithSummary("Log in: a token pair")
            .AcceptsJson<LoginBody>().Produces<TokenPair>().ProducesUnauthorized();
        group.MapPost("/refresh", RefreshAsync).WithSummary("Rotate the refresh token: a new token pair")
            .AcceptsJson<RefreshTokenBody>().Produces<TokenPair>().ProducesUnauthorized();
        group.MapPost("/logout", LogoutAsync).RequireAuthorization().WithSummary("Revoke this login session")
            .AcceptsJson<RefreshTokenBody>().Produces(StatusCodes.Status204NoContent).ProducesUnauthorized();
        return app;
    }

    private static async Task<IResult> RegisterAsync(RegisterRequest request, HttpContext context, RegisterAccount register, CancellationToken cancellationToken)
    {
        var result = await register.ExecuteAsync(request.Email, request.Password, request.DisplayName, cancellationToken);
        return result switch
        {
            RegistrationResult.Created created => TypedResults.Created($"/api/users/{created.Account.Id}",
                new RegisteredAccount(created.Account.Id, created.Account.Email, created.Account.DisplayName)),
            // Stored, but no profile yet: a retry of the same registration answers 201 once it exists.
            RegistrationResult.ProfilePending => ProblemResponses.Unavailable(context.Response),
            _ => ProblemResponses.Result(StatusCodes.Status409Conflict, "An account with this email already exists."),
        };
    }

    private static async Task<IResult> LoginAsync(LoginRequest request, HttpContext context, Login login, CancellationToken cancellationToken)
    {
        var pair = await login.ExecuteAsync(request.Email, request.Password, cancellationToken);
        return pair is null ? Unauthorized(context, "Invalid email or password.") : Tokens(context, pair);
    }

    private static async Task<IResult> RefreshAsync(RefreshTokenRequest request, HttpContext context, RefreshSession refresh, CancellationToken cancellationToken)
    {
        var pair = await refresh.ExecuteAsync(request.RefreshToken, cancellationToken);
        return pair is null ? Unauthorized(context, "The refresh token is invalid, expired or revoked.") : Tokens(context, pair);
    }

    private static async Task<IResult> LogoutAsync(RefreshTokenRequest request, HttpContext context, Logout logout, CancellationToken cancellationToken)
    {
        // The bearer handler already checked both claims are present and sub is a UUID.
        var userId = Guid.Parse(context.User.FindFirstValue("sub")!);
        if (!Guid.TryParse(context.User.FindFirstValue("sid"), out var sessionId))
        {
            return Unauthorized(context, "The bearer token has no valid session.");
        }
        await logout.ExecuteAsync(userId, sessionId, request.RefreshToken, cancellationToken);
        return TypedResults.NoContent();
    }

    private static IResult Tokens(HttpContext context, TokenPair pair)
    {
        // RFC 6749 §5.1: token responses must not be cached.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        return TypedResults.Ok(pair);
    }

    private static IResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_grant\"";
        return ProblemResponses.Result(StatusCodes.Status401Unauthorized, detail);
    }

    public sealed record RegisteredAccount(Guid UserId, string Email, string DisplayName);
}

/// <summary>Turns a full hashing queue into 503 + Retry-After instead of an error.</summary>
internal sealed class PasswordHashingBusyFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PasswordHashingBusyException busy)
        {
            context.HttpContext.Response.Headers.RetryAfter = busy.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ProblemResponses.Result(StatusCodes.Status503ServiceUnavailable);
        }
    }
}
