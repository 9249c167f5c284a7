using IdentityService.Application;
using IdentityService.Endpoints;
using IdentityService.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace IdentityService;

/// <summary>How the identity service is composed: everything Program.cs registers, in one place.</summary>
public static class Extensions
{
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        // No retrying execution strategy (none in AddServiceDatabase): rotation and the outbox need explicit
        // transactions, and a retry of a half-done rotation would be wrong anyway.
        builder.AddServiceDatabase<IdentityDbContext>("identitydb");
        builder.AddRedis("revocations reach other services only when it is back; refresh is still stopped by the database.");
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.Configure<TokenOptions>(builder.Configuration.GetSection(TokenOptions.Section));
        builder.Services.Configure<TokenLifetimes>(builder.Configuration.GetSection(TokenLifetimes.Section));
        builder.Services.Configure<PasswordHashingOptions>(builder.Configuration.GetSection(PasswordHashingOptions.Section));
        builder.Services.Configure<OutboxOptions>(builder.Configuration.GetSection(OutboxOptions.Section));

        // Fail at start-up, not on the first login, when no usable key is configured.
        var tokenOptions = builder.Configuration.GetSection(TokenOptions.Section).Get<TokenOptions>() ?? new TokenOptions();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddConsole());
        var keyRing = SigningKeyRing.Create(tokenOptions, builder.Environment.IsDevelopment(), loggerFactory.CreateLogger<SigningKeyRing>());
        builder.Services.AddSingleton(keyRing);
        builder.Services.AddSingleton<IAccessTokenIssuer, AccessTokenIssuer>();
        builder.Services.AddSingleton<IdentityMetrics>();
        builder.Services.AddSingleton<IPasswordHasher, Argon2idPasswordHasher>();

        // Logout takes a bearer token: validated as everywhere else, but against this process's own keys,
        // since the identity service cannot fetch its JWK set from itself by service name.
        builder.AddJwtValidation();
        builder.Services.AddContractOpenApi("Identity");
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var configuration = new OpenIdConnectConfiguration();
            foreach (var key in keyRing.PublicKeys)
            {
                configuration.SigningKeys.Add(key);
            }
            options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
        });

        // The outbox is the retry mechanism: the default resilience pipeline would only hold the registering
        // client longer (RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt out).
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<UserProvisioningClient>(http => http.BaseAddress = new Uri(UserProvisioningClient.BaseAddress))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddScoped<OutboxDelivery>();
        builder.Services.AddScoped<IOutbox>(services => services.GetRequiredService<OutboxDelivery>());
        builder.Services.AddHostedService<OutboxDispatcher>();
        builder.Services.AddSingleton<OutboxStatus>();
        builder.Services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox");

        builder.Services.AddScoped<IdentityStore>();
        builder.Services.AddScoped<IAccountRepository>(services => services.GetRequiredService<IdentityStore>());
        builder.Services.AddScoped<ISessionRepository>(services => services.GetRequiredService<IdentityStore>());

        builder.Services.AddScoped<SessionTokens>();
        builder.Services.AddScoped<RegisterAccount>();
        builder.Services.AddScoped<Login>();
        builder.Services.AddScoped<RefreshSession>();
        builder.Services.AddScoped<Logout>();
        return builder;
    }

    /// <summary>The middleware and endpoints, in pipeline order; the schema is migrated before the service listens.</summary>
    public static async Task UseApplicationAsync(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapWellKnownEndpoints();
        app.MapAuthEndpoints();
        app.MapContractOpenApi();
        // Created here so that the outbox gauges report from the start, not from the first registration.
        app.Services.GetRequiredService<OutboxStatus>();
        // Before listening: /health must never answer on an old schema.
        await app.MigrateDatabaseAsync<IdentityDbContext>();
    }
}
