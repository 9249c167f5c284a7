using System.Threading.RateLimiting;

namespace Gateway.Infrastructure.RateLimiting;

/// <summary>
/// One rate-limit partition (a tier and a client key) as an ASP.NET Core <see cref="RateLimiter"/>. The count lives in
/// <see cref="WindowCounter"/>; the synchronous attempt always declines so that the middleware takes the async path,
/// which makes exactly one Redis round trip. Every answer carries the IETF RateLimit headers.
/// </summary>
public sealed class WindowLimiter(string tier, string partition, RateLimitTierOptions limits, WindowCounter counter, IHttpContextAccessor accessor)
    : RateLimiter
{
    private long _lastUsedTicks = DateTime.UtcNow.Ticks;

    public override TimeSpan? IdleDuration => DateTime.UtcNow - new DateTime(Interlocked.Read(ref _lastUsedTicks), DateTimeKind.Utc);

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Declined;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsedTicks, DateTime.UtcNow.Ticks);
        var count = await counter.IncrementAsync(tier, partition, limits.Window);
        var resetSeconds = Math.Max(1, (long)Math.Ceiling(count.ResetAfter.TotalSeconds));
        var remaining = Math.Max(0, limits.PermitLimit - count.Count);

        if (accessor.HttpContext is { } context)
        {
            context.Response.Headers["RateLimit-Policy"] = $"\"{tier}\";q={limits.PermitLimit};w={(long)limits.Window.TotalSeconds}";
            context.Response.Headers["RateLimit"] = $"\"{tier}\";r={remaining};t={resetSeconds}";
        }

        return count.Count <= limits.PermitLimit ? Lease.Granted : new Lease(false, TimeSpan.FromSeconds(resetSeconds));
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
