using StackExchange.Redis;
using UserService.Application;
using UserService.Endpoints;
using UserService.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddJwtValidation();
builder.Services.AddContractOpenApi("Users");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);

builder.AddNpgsqlDbContext<UsersDbContext>(DatabaseMigrator.ConnectionName);
// Redis is a cache here, so its check reports Degraded rather than Unhealthy (AddDegradableRedisCheck), and every
// command fails fast while it is away instead of queueing behind a reconnect.
builder.AddRedisClient("redis",
    settings => settings.DisableHealthChecks = true,
    options =>
    {
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 1000;
        options.SyncTimeout = 500;
        options.AsyncTimeout = 500;
        options.ReconnectRetryPolicy = new LinearRetry(500);
    });
builder.Services.AddHealthChecks().AddDegradableRedisCheck("serving from PostgreSQL without the cache.");

builder.Services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<CacheRepairQueue>();
builder.Services.AddHostedService(services => services.GetRequiredService<CacheRepairQueue>());
builder.Services.AddSingleton<ProfileCache>();
builder.Services.AddSingleton<ListCache>();
builder.Services.AddSingleton<RealtimeEventPublisher>();
builder.Services.AddScoped<GetProfile>();
builder.Services.AddScoped<UpdateOwnProfile>();
builder.Services.AddScoped<ProvisionProfile>();
builder.Services.AddScoped<SearchProfiles>();

var app = builder.Build();

await DatabaseMigrator.MigrateAsync(app.Services);

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapUserEndpoints();
app.MapInternalEndpoints();
app.MapContractOpenApi();
if (app.Configuration.GetValue("Users:BenchmarkEndpoint", false))
{
    // A plain JSON answer with no database or cache behind it: the yardstick of the `users` benchmark.
    app.MapGet("/api/users/ping", () => TypedResults.Ok(new { status = "ok" }));
}

app.Run();
