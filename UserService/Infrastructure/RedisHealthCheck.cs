using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace UserService.Infrastructure;

/// <summary>
/// Redis is a dependency this service works around (contract §6): when it does not answer, readiness
/// says Degraded (HTTP 200), so that a cache outage never takes the service out of rotation.
/// </summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!redis.IsConnected)
            {
                return HealthCheckResult.Degraded("Redis is not connected; serving from PostgreSQL.");
            }
            await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded("Redis does not answer; serving from PostgreSQL.");
        }
    }
}
