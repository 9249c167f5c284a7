using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Gateway.Infrastructure;

/// <summary>
/// Redis as the gateway depends on it: without it, rate limits fall back to per-replica memory and encryption
/// sessions are refused, but routing goes on. So an outage is Degraded (still 200), never out of rotation.
/// </summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded("Redis unreachable: rate limits per replica, no encryption sessions.");
        }
    }
}
