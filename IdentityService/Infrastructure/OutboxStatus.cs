using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdentityService.Infrastructure;

/// <summary>
/// The one place that knows how many outbox messages wait and how many are dead-lettered (whole database, all
/// replicas). The dispatcher refreshes it every round; <c>/health</c> shows it in its detail, and the gauges
/// <c>outbox.pending</c> and <c>outbox.dead_letters</c> of the meter <see cref="MeterName"/> report it.
/// </summary>
public sealed class OutboxStatus
{
    public const string MeterName = "IdentityService.Outbox";

    private long _pending;
    private long _deadLetters;

    public OutboxStatus(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("outbox.pending", () => Pending, "{message}", "Outbox messages not delivered yet");
        meter.CreateObservableGauge("outbox.dead_letters", () => DeadLetters, "{message}", "Outbox messages the receiver refused for good");
    }

    public long Pending => Interlocked.Read(ref _pending);

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    public void Update(long pending, long deadLetters)
    {
        Interlocked.Exchange(ref _pending, pending);
        Interlocked.Exchange(ref _deadLetters, deadLetters);
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
        var data = new Dictionary<string, object> { ["pending"] = status.Pending, ["deadLetters"] = status.DeadLetters };
        var description = status.DeadLetters == 0
            ? $"{status.Pending} pending"
            : $"{status.Pending} pending, {status.DeadLetters} dead-lettered (see outbox_messages.dead_lettered_at)";
        return Task.FromResult(HealthCheckResult.Healthy(description, data));
    }
}
