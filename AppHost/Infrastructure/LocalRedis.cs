using Aspire.Hosting.ApplicationModel;

namespace AppHost.Infrastructure;

/// <summary>A redis-server process the AppHost owns. It keeps no data between runs: it is a cache and a bus.</summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => RedisResources.ConnectionString(PrimaryEndpoint, Password);
}

public static class LocalRedisExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, string redisServer, StateDirectory state)
    {
        // A fresh password each run, kept in a config file (0600) rather than on the command line where `ps` shows it.
        var password = StateDirectory.NewPassword();
        var configFile = Path.Combine(state.Path, $"{name}.conf");
        File.WriteAllText(configFile, $"requirepass {password}\n");
        File.SetUnixFileMode(configFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var passwordParameter = builder.AddParameter($"{name}-password", password, secret: true);
        var redis = new LocalRedisResource(name, redisServer, state.Path, passwordParameter.Resource);

        var healthCheckKey = RedisResources.AddHealthCheck(builder, redis);

        var endpoint = redis.PrimaryEndpoint;
        return builder.AddResource(redis)
            .WithEndpoint(name: LocalRedisResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            })
            .WithIconName("Memory")
            .WithHealthCheck(healthCheckKey);
    }
}
