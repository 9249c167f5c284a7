using System.Globalization;
using System.Threading.RateLimiting;
using Gateway.Domain;

namespace Gateway.Infrastructure.RateLimiting;

/// <summary>
/// One rate-limit partition (a tier and a client key) on this replica, as an ASP.NET Core <see cref="RateLimiter"/>.
/// It spends permits leased from the shared sliding-window log (<see cref="LeaseStore"/>) in memory: a request
/// that finds a live lease is answered without any round trip; otherwise one lease request is made for all the
/// requests waiting on this partition. The lease size follows the partition's rate (enough for one
/// <see cref="LeaseLifetime"/>), and the log caps it (limit 5 → one permit per lease, i.e. exact per request).
/// Unspent permits of a lapsed lease go back with the next lease request. A refusal is remembered until a permit
/// can be free again (the log only ever frees permits at known times), so a flood of refused requests costs
/// nothing either. Every answer carries the IETF RateLimit headers.
/// </summary>
public sealed class LeasedWindowLimiter(
    string tier, string partition, RateLimitTierOptions limits, ILeaseStore store, IHttpContextAccessor accessor, TimeProvider clock)
    : RateLimiter
{
    /// <summary>How long leased permits may be spent; they count in the window this much longer (see the README).</summary>
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromMilliseconds(500);

    /// <summary>A one-permit lease is spent by the request that asked for it, at once.</summary>
    private static readonly TimeSpan SinglePermitGrace = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly string _policyHeader = $"\"{tier}\";q={limits.PermitLimit};w={(long)limits.Window.TotalSeconds}";
    private int _left;
    private int _spent;
    private long _usedBefore;
    private long _leaseEnds;
    private long _nextFreeAt;
    private string? _member;
    private int _granted;
    private long _refusedUntil;
    private long _lastLeaseAt;
    private TaskCompletionSource<LeaseGrant>? _pending;
    private long _lastUsedTicks = DateTime.UtcNow.Ticks;

    public override TimeSpan? IdleDuration => DateTime.UtcNow - new DateTime(Interlocked.Read(ref _lastUsedTicks), DateTimeKind.Utc);

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            return TryAnswerLocally() ?? Lease.Declined;
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource<LeaseGrant> pending;
            var mustFetch = false;
            lock (_gate)
            {
                if (TryAnswerLocally() is { } answer)
                {
                    return answer;
                }
                if (_pending is null)
                {
                    _pending = new TaskCompletionSource<LeaseGrant>(TaskCreationOptions.RunContinuationsAsynchronously);
                    mustFetch = true;
                }
                pending = _pending;
            }
            if (mustFetch)
            {
                await FetchAsync(pending);
            }
            if ((await pending.Task).Granted == 0)
            {
                lock (_gate)
                {
                    return TryAnswerLocally() ?? Refuse(clock.GetTimestamp());
                }
            }
        }
    }

    /// <summary>Spends a permit of the live lease, or repeats a refusal still in force; null when the store must be asked.</summary>
    private RateLimitLease? TryAnswerLocally()
    {
        // Also for answers from the lease: an "idle" limiter is dropped by the partitioned limiter, lease and all.
        _lastUsedTicks = DateTime.UtcNow.Ticks;
        var now = clock.GetTimestamp();
        if (_left > 0 && now < _leaseEnds)
        {
            _left--;
            _spent++;
            SetHeaders(Math.Max(0, limits.PermitLimit - _usedBefore - _spent), SecondsUntil(_nextFreeAt, now));
            return Lease.Granted;
        }
        return now < _refusedUntil ? Refuse(now) : null;
    }

    private RateLimitLease Refuse(long now)
    {
        var seconds = SecondsUntil(_refusedUntil, now);
        SetHeaders(0, seconds);
        return new Lease(false, TimeSpan.FromSeconds(seconds));
    }

    private async Task FetchAsync(TaskCompletionSource<LeaseGrant> pending)
    {
        LeaseRequest request;
        var sentAt = clock.GetTimestamp();
        lock (_gate)
        {
            var returned = _left > 0 ? _left : 0;
            request = new LeaseRequest(limits.PermitLimit, (long)limits.Window.TotalMilliseconds, (long)LeaseLifetime.TotalMilliseconds,
                DesiredPermits(sentAt), Guid.NewGuid().ToString("N"), returned > 0 ? _member : null, returned);
            _left = 0;
        }
        LeaseGrant grant;
        try
        {
            grant = await store.LeaseAsync(tier, partition, request);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _pending = null;
            }
            pending.SetException(e);
            return;
        }
        lock (_gate)
        {
            if (grant.Granted > 0)
            {
                (_left, _spent, _usedBefore, _member, _granted, _lastLeaseAt) = (grant.Granted, 0, grant.UsedBefore, grant.Member, grant.Granted, sentAt);
                // Measured from before the request left, so never later than the store's own lifetime for the lease.
                _leaseEnds = sentAt + (long)((grant.Granted > 1 ? LeaseLifetime : SinglePermitGrace).TotalSeconds * clock.TimestampFrequency);
            }
            else
            {
                _refusedUntil = sentAt + grant.NextFreeInMs * clock.TimestampFrequency / 1000;
            }
            _nextFreeAt = sentAt + grant.NextFreeInMs * clock.TimestampFrequency / 1000;
            _pending = null;
        }
        pending.SetResult(grant);
    }

    /// <summary>As many permits as this partition spent per <see cref="LeaseLifetime"/> during the last lease (at least 1).</summary>
    private int DesiredPermits(long now)
    {
        if (_granted == 0)
        {
            return 1;
        }
        var elapsed = Math.Max(clock.GetElapsedTime(_lastLeaseAt, now).TotalMilliseconds, 1);
        var rate = _spent / elapsed;
        return (int)Math.Clamp(Math.Ceiling(rate * LeaseLifetime.TotalMilliseconds), 1, int.MaxValue / 2);
    }

    private long SecondsUntil(long timestamp, long now) =>
        Math.Max(1, (long)Math.Ceiling((timestamp - now) / (double)clock.TimestampFrequency));

    private void SetHeaders(long remaining, long resetSeconds)
    {
        if (accessor.HttpContext is { } context)
        {
            context.Response.Headers["RateLimit-Policy"] = _policyHeader;
            context.Response.Headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture, $"\"{tier}\";r={remaining};t={resetSeconds}");
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease Declined = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
