using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;

namespace IdentityService.Infrastructure;

/// <summary>
/// Contract §6 for identity, on the service's meter (named after it, exported by ServiceDefaults): logins by outcome,
/// Argon2 time per operation, the hashing queue and the requests it shed, and the outbox — how many messages wait and
/// how old the oldest is (read from the database at most every <see cref="OutboxReadInterval"/>, one cheap query).
/// </summary>
public sealed class IdentityMetrics
{
    public const string LoginOutcomeAttribute = "identity.login.outcome";
    public const string HashOperationAttribute = "identity.password.operation";
    private static readonly TimeSpan OutboxReadInterval = TimeSpan.FromSeconds(5);

    private readonly Meter _meter;
    private readonly Counter<long> _logins;
    private readonly Histogram<double> _hashDuration;
    private readonly Counter<long> _hashRejections;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _clock;
    private readonly Lock _outboxLock = new();
    private (DateTimeOffset ReadAt, long Backlog, double OldestAgeSeconds)? _outbox;

    public IdentityMetrics(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock)
    {
        _scopes = scopes;
        _clock = clock;
        _meter = meters.Create(typeof(IdentityMetrics).Assembly.GetName().Name!);
        _logins = _meter.CreateCounter<long>("identity.logins", "{login}", "Login attempts by outcome.");
        _hashDuration = _meter.CreateHistogram("identity.password.hash.duration", "s", "Time of one Argon2id computation, by operation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _hashRejections = _meter.CreateCounter<long>("identity.password.hash.rejections", "{request}",
            "Requests refused at once (503) because every hashing slot was busy and the queue full.");
        _meter.CreateObservableGauge("identity.outbox.backlog", () => ReadOutbox().Backlog, "{message}", "Outbox messages not yet delivered.");
        _meter.CreateObservableGauge("identity.outbox.oldest_pending.age", () => ReadOutbox().OldestAgeSeconds, "s",
            "Age of the oldest undelivered outbox message (0 when none): growing means delivery is stuck.");
    }

    public void LoginSucceeded() => Login("success");

    public void LoginFailed() => Login("invalid_credentials");

    public void LoginShed() => Login("shed");

    public void Hashed(string operation, TimeSpan elapsed) =>
        _hashDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(HashOperationAttribute, operation));

    public void HashRejected() => _hashRejections.Add(1);

    /// <summary>Reports how many requests wait for a hashing slot; called once by the hasher that owns the queue.</summary>
    public void ObserveHashQueue(Func<long> queued) =>
        _meter.CreateObservableGauge("identity.password.hash.queue.length", queued, "{request}", "Requests waiting for an Argon2 slot.");

    private void Login(string outcome) => _logins.Add(1, new KeyValuePair<string, object?>(LoginOutcomeAttribute, outcome));

    private (long Backlog, double OldestAgeSeconds) ReadOutbox()
    {
        lock (_outboxLock)
        {
            var now = _clock.GetUtcNow();
            if (_outbox is not { } cached || now - cached.ReadAt >= OutboxReadInterval)
            {
                try
                {
                    using var scope = _scopes.CreateScope();
                    var pending = scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Outbox.Where(message => message.DeliveredAt == null);
                    var oldest = pending.Min(message => (DateTimeOffset?)message.CreatedAt);
                    _outbox = (now, pending.LongCount(), oldest is { } created ? Math.Max(0, (now - created).TotalSeconds) : 0);
                }
                catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or TimeoutException)
                {
                    // The database is away: report the last reading rather than fail the whole export.
                    _outbox = (now, _outbox?.Backlog ?? 0, _outbox?.OldestAgeSeconds ?? 0);
                }
            }
            return (_outbox.Value.Backlog, _outbox.Value.OldestAgeSeconds);
        }
    }
}
