using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Rejects tokens of revoked sessions, and answers 401 as problem details (contract §1).</summary>
internal sealed class SessionAwareJwtBearerEvents : JwtBearerEvents
{
    public override Task TokenValidated(TokenValidatedContext context)
    {
        var sessionId = context.Principal?.FindFirst("sid")?.Value;
        var subject = context.Principal?.FindFirst("sub")?.Value;
        if (string.IsNullOrEmpty(sessionId) || string.IsNullOrEmpty(subject) || !Guid.TryParse(subject, out _))
        {
            context.Fail("The token lacks a valid sub or sid claim.");
            return Task.CompletedTask;
        }

        var revocations = context.HttpContext.RequestServices.GetRequiredService<ISessionRevocationList>();
        if (revocations.IsRevoked(sessionId))
        {
            context.Fail("The token's session has been revoked.");
        }
        return Task.CompletedTask;
    }

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? "Bearer"
            : "Bearer error=\"invalid_token\"";
        var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = context.AuthenticateFailure is null ? "A bearer token is required." : "The bearer token is invalid.",
            },
        });
    }
}
