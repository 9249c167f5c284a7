using UserService.Application;
using UserService.Endpoints;
using UserService.Infrastructure;

namespace UserService;

/// <summary>How the user service is composed: everything Program.cs registers, in one place.</summary>
public static class Extensions
{
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddJwtValidation();
        builder.Services.AddContractOpenApi("Users");

        builder.AddServiceDatabase<UsersDbContext>("usersdb");
        // Redis is a cache here: without it the service serves from PostgreSQL (Degraded, still in rotation).
        builder.AddRedis("serving from PostgreSQL without the cache.");

        builder.Services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CacheRepairQueue>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CacheRepairQueue>());
        builder.Services.AddSingleton<UserMetrics>();
        builder.Services.AddSingleton<IProfileCache, ProfileCache>();
        builder.Services.AddSingleton<IPageCache, ListCache>();
        builder.Services.AddSingleton<IProfileEvents, RealtimeEventPublisher>();
        builder.Services.AddScoped<IProfileRepository, ProfileRepository>();
        builder.Services.AddScoped<GetProfile>();
        builder.Services.AddScoped<UpdateOwnProfile>();
        builder.Services.AddScoped<ProvisionProfile>();
        builder.Services.AddScoped<SearchProfiles>();
        return builder;
    }

    /// <summary>The middleware and endpoints, in pipeline order; the schema is migrated before the service listens.</summary>
    public static async Task UseApplicationAsync(this WebApplication app)
    {
        await app.MigrateDatabaseAsync<UsersDbContext>();
        app.UseServiceDefaults();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapUserEndpoints();
        app.MapInternalEndpoints();
        app.MapContractOpenApi();
    }
}
