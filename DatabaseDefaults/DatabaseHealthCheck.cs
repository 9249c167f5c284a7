using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Readiness of a service that cannot work without its database: <c>SELECT 1</c> through the same context,
/// breaker and pool as requests. A server that does not answer within <see cref="Timeout"/> (cancelled then,
/// so a frozen server cannot make <c>/health</c> hang), refuses connections, or whose breaker is open, is
/// Unhealthy — 503 — with the reason in the description. A check that merely opens a pooled connection would
/// pass against a frozen server.
/// </summary>
internal sealed class DatabaseHealthCheck<TContext>(IServiceProvider services, string dependency) : IHealthCheck
    where TContext : DbContext
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await db.Database.ExecuteSqlRawAsync("SELECT 1", timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (DependencyUnavailableException e) when (e.InnerException is BrokenCircuitException)
        {
            return HealthCheckResult.Unhealthy($"{dependency}: circuit breaker open after repeated failures; requests that need it answer 503 until a trial call succeeds");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{dependency} does not answer within {Timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (DependencyFailure.IsUnavailable(e))
        {
            return HealthCheckResult.Unhealthy($"{dependency} is unreachable ({Innermost(e).GetType().Name})");
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
