using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AppHost.Infrastructure;

/// <summary>
/// What the two local Redis resources (<see cref="LocalRedisResource"/>, <see cref="EmbeddedRedisResource"/>) share:
/// their connection string and their health check. They cannot share a base class (one is an executable, the other
/// a project), so this is the one copy.
/// </summary>
internal static class RedisResources
{
    public static ReferenceExpression ConnectionString(EndpointReference endpoint, ParameterResource password) =>
        ReferenceExpression.Create(
            $"{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)},password={password}");

    /// <summary>Registers a Redis health check for <paramref name="redis"/> (once its connection string is known); returns its key.</summary>
    public static string AddHealthCheck(IDistributedApplicationBuilder builder, IResourceWithConnectionString redis)
    {
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, ct) =>
            connectionString = await redis.GetConnectionStringAsync(ct));
        var healthCheckKey = $"{redis.Name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"),
            name: healthCheckKey);
        return healthCheckKey;
    }
}
