using Aspire.Hosting.ApplicationModel;

namespace AppHost.Infrastructure;

/// <summary>The backing services as the rest of the AppHost sees them, whichever way they run.</summary>
public sealed record BackingServices(
    IResourceBuilder<IResourceWithConnectionString> IdentityDatabase,
    IResourceBuilder<IResourceWithConnectionString> UsersDatabase,
    IResourceBuilder<IResourceWithConnectionString> Redis);

public static class BackingServicesExtensions
{
    public static BackingServices AddBackingServices(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            // A deployment brings its own (managed) PostgreSQL and Redis: the manifest asks for their connection
            // strings as parameters instead of describing this machine's processes and paths.
            return new BackingServices(
                builder.AddConnectionString(ResourceNames.IdentityDatabase),
                builder.AddConnectionString(ResourceNames.UsersDatabase),
                builder.AddConnectionString(ResourceNames.Redis));
        }

        var binaries = LocalBinaries.Discover(builder.Configuration);
        var mode = InfrastructureModeSelector.Select(builder.Configuration, binaries);

        if (mode == InfrastructureMode.Container)
        {
            var postgres = builder.AddPostgres(ResourceNames.Postgres).WithDataVolume();
            return new BackingServices(
                postgres.AddDatabase(ResourceNames.IdentityDatabase),
                postgres.AddDatabase(ResourceNames.UsersDatabase),
                builder.AddRedis(ResourceNames.Redis).WithDataVolume());
        }

        var state = StateDirectory.Resolve(builder.Configuration, builder.AppHostDirectory);
        var localPostgres = builder.AddLocalPostgres(ResourceNames.Postgres, binaries.PostgresBinDirectory!, state);
        return new BackingServices(
            localPostgres.AddDatabase(ResourceNames.IdentityDatabase),
            localPostgres.AddDatabase(ResourceNames.UsersDatabase),
            AddLocalRedis(builder, binaries, state));
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalRedis(
        IDistributedApplicationBuilder builder, LocalBinaries binaries, StateDirectory state)
    {
        if (LocalRedisChoice.Choose(builder.Configuration, binaries) == LocalRedisKind.RedisServer)
        {
            return builder.AddLocalRedis(ResourceNames.Redis, binaries.RedisServer!, state);
        }

        Console.WriteLine(binaries.RedisServer is null
            ? "redis: redis-server was not found, running the embedded Redis-compatible server (Microsoft Garnet) instead. " +
              "redis-server is preferred: `apt-get install -y redis-server`, then restart."
            : "redis: Infrastructure:Redis=embedded, running the embedded Redis-compatible server (Microsoft Garnet).");
        return builder.AddEmbeddedRedis(ResourceNames.Redis);
    }
}
