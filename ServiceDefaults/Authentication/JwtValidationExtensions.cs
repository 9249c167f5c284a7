using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Access-token validation shared by every service and the gateway (contract §2): ES256 only, type
/// <c>at+jwt</c>, issuer, audience, lifetime with at most 30 s of skew, keys from the identity JWK set,
/// and a check that the token's login session has not been revoked (a memory lookup, see <see cref="SessionRevocationList"/>).
/// A token's signature is checked once per process (<see cref="ValidatedTokenCache"/>).
/// </summary>
public static class JwtValidationExtensions
{
    public static TBuilder AddJwtValidation<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var settings = JwtSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SessionRevocationList>();
        builder.Services.AddSingleton<ISessionRevocationList>(services => services.GetRequiredService<SessionRevocationList>());
        builder.Services.AddHostedService<RevocationFeed>();
        builder.Services.AddSingleton<ValidatedTokenCache>();
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IHttpClientFactory, ValidatedTokenCache>((options, httpClientFactory, tokenCache) =>
            {
                options.MapInboundClaims = false;
                options.TokenHandlers.Clear();
                options.TokenHandlers.Add(new CachingJsonWebTokenHandler(tokenCache) { MapInboundClaims = false });
                options.RequireHttpsMetadata = false;
                options.TokenValidationParameters = settings.CreateValidationParameters();
                options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                    settings.JwksUrl,
                    new JwksRetriever(),
                    new HttpDocumentRetriever(httpClientFactory.CreateClient(JwksRetriever.HttpClientName)) { RequireHttps = false })
                {
                    AutomaticRefreshInterval = TimeSpan.FromMinutes(5),
                    // An unknown kid (a rotated key) triggers a refresh at most this often.
                    RefreshInterval = TimeSpan.FromSeconds(10),
                };
                options.Events = new SessionAwareJwtBearerEvents();
            });
        return builder;
    }
}

/// <summary>The token settings every validator shares; the AppHost gives them all the same values.</summary>
public sealed record JwtSettings(string Issuer, string Audience, string JwksUrl)
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(30);
    public const string AccessTokenType = "at+jwt";

    public static JwtSettings From(Microsoft.Extensions.Configuration.IConfiguration configuration) => new(
        configuration["Jwt:Issuer"] is { Length: > 0 } issuer ? issuer : "http://localhost:8080",
        configuration["Jwt:Audience"] is { Length: > 0 } audience ? audience : "distributed-api",
        configuration["Jwt:JwksUrl"] is { Length: > 0 } jwks ? jwks : "http://identityservice/.well-known/jwks.json");

    public TokenValidationParameters CreateValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ValidTypes = [AccessTokenType],
        ClockSkew = MaxClockSkew,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        NameClaimType = "sub",
    };
}
