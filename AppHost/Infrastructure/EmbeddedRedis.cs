using Aspire.Hosting.ApplicationModel;

namespace AppHost.Infrastructure;

/// <summary>
/// A Redis-compatible server from NuGet (Microsoft Garnet, <c>tools/EmbeddedRedis</c>), used in local mode when
/// <c>redis-server</c> is not installed. It is a project resource of its own rather than a server hosted inside the
/// AppHost: DCP starts, stops and restarts it like any other resource, its log and state show on the dashboard, and
/// the AppHost (and every test process that hosts it) does not carry Garnet's dependencies. Loopback only, a fresh
/// password each run, no data kept between runs — like <see cref="LocalRedisResource"/>.
/// </summary>
public sealed class EmbeddedRedisResource(string name, ParameterResource password)
    : ProjectResource(name), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => RedisResources.ConnectionString(PrimaryEndpoint, Password);
}

public static class EmbeddedRedisExtensions
{
    public static IResourceBuilder<EmbeddedRedisResource> AddEmbeddedRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var password = builder.AddParameter($"{name}-password", StateDirectory.NewPassword(), secret: true);
        var redis = new EmbeddedRedisResource(name, password.Resource);

        var healthCheckKey = RedisResources.AddHealthCheck(builder, redis);

        return builder.AddResource(redis)
            .WithAnnotation<IProjectMetadata>(new Projects.EmbeddedRedis())
            .WithEndpoint(name: EmbeddedRedisResource.EndpointName, scheme: "tcp", env: "EMBEDDED_REDIS_PORT")
            .WithEnvironment("EMBEDDED_REDIS_PASSWORD", password)
            .WithIconName("Memory")
            .WithHealthCheck(healthCheckKey);
    }
}
