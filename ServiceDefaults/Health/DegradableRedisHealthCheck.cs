using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class DegradableRedisHealthCheckExtensions
{
    /// <summary>
    /// Registers Redis as a dependency the service works around (contract §6): when it is not connected or does
    /// not answer a PING within 500 ms, readiness says Degraded — still HTTP 200 — so that a Redis outage never
    /// takes the service out of rotation. <paramref name="withoutRedis"/> tells an operator what still works.
    /// Register the Redis client with <c>DisableHealthChecks = true</c> so that Aspire's own (Unhealthy) check is not added too.
    /// </summary>
    public static IHealthChecksBuilder AddDegradableRedisCheck(this IHealthChecksBuilder checks, string withoutRedis) =>
        checks.Add(new HealthCheckRegistration(
            "redis",
            services => new DegradableRedisHealthCheck(services.GetRequiredService<IConnectionMultiplexer>(), withoutRedis),
            HealthStatus.Degraded,
            tags: null));
}

internal sealed class DegradableRedisHealthCheck(IConnectionMultiplexer redis, string withoutRedis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Degraded($"Redis is not connected: {withoutRedis}");
        }
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded($"Redis does not answer: {withoutRedis}");
        }
    }
}
