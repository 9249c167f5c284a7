using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDefaults.Input;

namespace Microsoft.Extensions.Hosting;

/// <summary>Rejects tokens of revoked sessions, and answers 401 as problem details (contract §1); 503 when the signing
/// keys could not be fetched.</summary>
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
        if (context.AuthenticateFailure is { } failure && DependencyFailure.UnavailableDependency(failure) is { } dependency)
        {
            // The signing keys could not be fetched: the token may well be good, so not 401 (the client would drop it)
            // but 503 + Retry-After, as for any dependency that is away (contract §1).
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILogger<DependencyFailureExceptionHandler>>();
            DependencyFailureExceptionHandler.Log(logger, context.HttpContext, dependency, failure);
            await ProblemResponses.WriteUnavailableAsync(context.HttpContext);
            return;
        }
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? "Bearer"
            : "Bearer error=\"invalid_token\"";
        await ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
            context.AuthenticateFailure is null ? "A bearer token is required." : "The bearer token is invalid.");
    }
}
