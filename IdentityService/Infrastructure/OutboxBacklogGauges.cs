using System.Diagnostics.Metrics;
using IdentityService.Application;
using Microsoft.EntityFrameworkCore;

namespace IdentityService.Infrastructure;

/// <summary>
/// Contract §6's outbox gauges, on the service's meter next to <see cref="IdentityMetrics"/>: how many messages wait
/// and how old the oldest is, read from the database at most every <see cref="ReadInterval"/> (one cheap query).
/// Nothing depends on this class, so the composition creates it at start-up (<c>Extensions.cs</c>).
/// </summary>
public sealed class OutboxBacklogGauges
{
    private static readonly TimeSpan ReadInterval = TimeSpan.FromSeconds(5);

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private (DateTimeOffset ReadAt, long Backlog, double OldestAgeSeconds)? _last;

    public OutboxBacklogGauges(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock)
    {
        _scopes = scopes;
        _clock = clock;
        var meter = meters.Create(IdentityMetrics.MeterName);
        meter.CreateObservableGauge("identity.outbox.backlog", () => Read().Backlog, "{message}", "Outbox messages not yet delivered.");
        meter.CreateObservableGauge("identity.outbox.oldest_pending.age", () => Read().OldestAgeSeconds, "s",
            "Age of the oldest undelivered outbox message (0 when none): growing means delivery is stuck.");
    }

    private (long Backlog, double OldestAgeSeconds) Read()
    {
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            if (_last is not { } cached || now - cached.ReadAt >= ReadInterval)
            {
                try
                {
                    using var scope = _scopes.CreateScope();
                    var pending = scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Outbox.Where(message => message.DeliveredAt == null);
                    var oldest = pending.Min(message => (DateTimeOffset?)message.CreatedAt);
                    _last = (now, pending.LongCount(), oldest is { } created ? Math.Max(0, (now - created).TotalSeconds) : 0);
                }
                catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or TimeoutException)
                {
                    // The database is away: report the last reading rather than fail the whole export.
                    _last = (now, _last?.Backlog ?? 0, _last?.OldestAgeSeconds ?? 0);
                }
            }
            return (_last.Value.Backlog, _last.Value.OldestAgeSeconds);
        }
    }
}
