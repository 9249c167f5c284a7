using System.Diagnostics.Metrics;
using IdentityService.Application;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdentityService.Infrastructure;

/// <summary>
/// The one place that knows the outbox's state (whole database, all replicas): how many messages wait, how old the
/// oldest of them is, and how many are dead-lettered. The dispatcher refreshes it every round
/// (<see cref="OutboxDelivery.RefreshStatusAsync"/>); <c>/health</c> shows it in its detail, and contract §6's gauges on
/// the service's meter report it — read from memory, so an export never waits on PostgreSQL.
/// </summary>
public sealed class OutboxStatus
{
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private long _pending;
    private long _deadLetters;
    private DateTimeOffset? _oldestPendingCreatedAt;

    public OutboxStatus(IMeterFactory meters, TimeProvider clock)
    {
        _clock = clock;
        var meter = meters.Create(IdentityMetrics.MeterName);
        meter.CreateObservableGauge("identity.outbox.backlog", () => Pending, "{message}",
            "Outbox messages waiting for delivery (dead letters not included).");
        meter.CreateObservableGauge("identity.outbox.oldest_pending.age", () => OldestPendingAgeSeconds, "s",
            "Age of the oldest message waiting for delivery (0 when none): growing means delivery is stuck.");
        meter.CreateObservableGauge("identity.outbox.dead_letters", () => DeadLetters, "{message}",
            "Outbox messages the receiver refused for good; each needs a person (outbox_messages.dead_lettered_at).");
    }

    public long Pending
    {
        get { lock (_lock) { return _pending; } }
    }

    public long DeadLetters
    {
        get { lock (_lock) { return _deadLetters; } }
    }

    public double OldestPendingAgeSeconds
    {
        get
        {
            lock (_lock)
            {
                return _oldestPendingCreatedAt is { } created ? Math.Max(0, (_clock.GetUtcNow() - created).TotalSeconds) : 0;
            }
        }
    }

    public void Update(long pending, long deadLetters, DateTimeOffset? oldestPendingCreatedAt)
    {
        lock (_lock)
        {
            (_pending, _deadLetters, _oldestPendingCreatedAt) = (pending, deadLetters, oldestPendingCreatedAt);
        }
    }
}

/// <summary>
/// Dead letters need a person, not a restart: the check stays Healthy (readiness is unaffected) and carries the
/// counts in its description and data, which <c>/health</c> shows when asked for JSON.
/// </summary>
public sealed class OutboxHealthCheck(OutboxStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["pending"] = status.Pending,
            ["oldestPendingAgeSeconds"] = Math.Round(status.OldestPendingAgeSeconds, 1),
            ["deadLetters"] = status.DeadLetters,
        };
        var description = status.DeadLetters == 0
            ? $"{status.Pending} pending"
            : $"{status.Pending} pending, {status.DeadLetters} dead-lettered (see outbox_messages.dead_lettered_at)";
        return Task.FromResult(HealthCheckResult.Healthy(description, data));
    }
}
