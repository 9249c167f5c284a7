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
            builder.AddLocalRedis(ResourceNames.Redis, binaries.RedisServer!, state));
    }
}
