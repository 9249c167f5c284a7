using System.Diagnostics.Metrics;

namespace IdentityService.Application;

/// <summary>
/// Contract §6 for identity, on the service's meter <see cref="MeterName"/> (named after it, exported by
/// ServiceDefaults): logins by outcome, Argon2 time per operation, the hashing queue and the requests it shed.
/// The outbox gauges are on the same meter, in <c>Infrastructure/OutboxStatus.cs</c> (they report the dispatcher's reading).
/// </summary>
public sealed class IdentityMetrics
{
    public const string LoginOutcomeAttribute = "identity.login.outcome";
    public const string HashOperationAttribute = "identity.password.operation";
    public static readonly string MeterName = typeof(IdentityMetrics).Assembly.GetName().Name!;

    private readonly Meter _meter;
    private readonly Counter<long> _logins;
    private readonly Histogram<double> _hashDuration;
    private readonly Counter<long> _hashRejections;

    public IdentityMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _logins = _meter.CreateCounter<long>("identity.logins", "{login}", "Login attempts by outcome.");
        _hashDuration = _meter.CreateHistogram("identity.password.hash.duration", "s", "Time of one Argon2id computation, by operation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _hashRejections = _meter.CreateCounter<long>("identity.password.hash.rejections", "{request}",
            "Requests refused at once (503) because every hashing slot was busy and the queue full.");
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
}
