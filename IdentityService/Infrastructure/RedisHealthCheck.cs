using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace IdentityService.Infrastructure;

/// <summary>
/// Redis only carries the session revocation list here; without it logins and refreshes still work (the
/// database revocation stops refresh). So its outage reports Degraded — 200 — and never takes the service
/// out of rotation (contract §6).
/// </summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis.IsConnected
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded("Redis is unreachable: revocations reach other services only when it is back."));
}
