using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RealtimeService.Application;

namespace RealtimeService.Infrastructure;

/// <summary>
/// Validates a token taken from the query string or an <c>auth</c> message with the very settings the
/// shared JwtBearer scheme uses (<see cref="JwtValidationExtensions.AddJwtValidation{TBuilder}"/>): the same
/// <see cref="TokenValidationParameters"/>, the same JWK-set configuration manager, the same revocation list.
/// </summary>
public sealed partial class AccessTokenValidator(
    IOptionsMonitor<JwtBearerOptions> jwtOptions,
    ISessionRevocationList revocations,
    ILogger<AccessTokenValidator> logger) : IAccessTokenValidator
{
    private const string SigningKeys = "the identity service's signing keys";
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public async Task<AuthenticatedUser?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 8192)
        {
            return null;
        }
        var options = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme);
        try
        {
            var result = await ValidateWithCurrentKeysAsync(options, token, cancellationToken);
            if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
            {
                // An unknown kid may be a freshly rotated key: refresh the JWK set (rate-limited by the manager) once.
                options.ConfigurationManager!.RequestRefresh();
                result = await ValidateWithCurrentKeysAsync(options, token, cancellationToken);
            }
            if (!result.IsValid)
            {
                LogRejected(logger, result.Exception?.GetType().Name ?? "invalid");
                return null;
            }
            var subject = result.ClaimsIdentity.FindFirst("sub")?.Value;
            var sessionId = result.ClaimsIdentity.FindFirst("sid")?.Value;
            if (!Guid.TryParse(subject, out var userId) || string.IsNullOrEmpty(sessionId))
            {
                LogRejected(logger, "missing sub or sid");
                return null;
            }
            if (revocations.IsRevoked(sessionId))
            {
                LogRejected(logger, "session revoked");
                return null;
            }
            return new AuthenticatedUser(userId, sessionId, result.SecurityToken.ValidTo);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or OperationCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            // Not the token's fault: calling it invalid (401, 4401) would make a client drop a good token.
            LogKeysUnavailable(logger, e.GetType().Name);
            throw new DependencyUnavailableException(SigningKeys, e);
        }
    }

    private static async Task<TokenValidationResult> ValidateWithCurrentKeysAsync(JwtBearerOptions options, string token, CancellationToken cancellationToken)
    {
        var configuration = await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
        var parameters = options.TokenValidationParameters.Clone();
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        return await Handler.ValidateTokenAsync(token, parameters);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "WebSocket token rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signing keys unavailable ({Reason}); WebSocket authentication answered 503 / closed 1013")]
    private static partial void LogKeysUnavailable(ILogger logger, string reason);
}
