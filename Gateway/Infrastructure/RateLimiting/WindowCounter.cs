using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Gateway.Infrastructure.RateLimiting;

/// <summary>How many requests a key has made in its current window, and when that window ends.</summary>
public readonly record struct WindowCount(long Count, TimeSpan ResetAfter);

/// <summary>
/// Fixed-window counters shared by every gateway replica: one Lua script per request (INCR, set the expiry on
/// the first hit, read the time left), so the count and the window are one atomic round trip.
/// When Redis does not answer within <see cref="RedisTimeout"/>, the count falls back to this replica's own
/// memory for <see cref="RetryRedisAfter"/>: limits then hold per replica (at most N × the limit across N replicas)
/// instead of failing every request or letting every request through. The choice is logged and documented in the README.
/// </summary>
public sealed partial class WindowCounter(IConnectionMultiplexer redis, ILogger<WindowCounter> logger)
{
    public static readonly TimeSpan RedisTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>After a failure, Redis is left alone this long, so an outage does not add a timeout to every request.</summary>
    public static readonly TimeSpan RetryRedisAfter = TimeSpan.FromSeconds(5);

    private long _skipRedisUntilTicks;

    private const string Script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return { count, ttl }
        """;

    private readonly ConcurrentDictionary<string, LocalWindow> _local = new();

    public static string RedisKey(string tier, string partition) => $"ratelimit:{tier}:{partition}";

    public async Task<WindowCount> IncrementAsync(string tier, string partition, TimeSpan window)
    {
        var key = RedisKey(tier, partition);
        if (DateTime.UtcNow.Ticks < Interlocked.Read(ref _skipRedisUntilTicks))
        {
            return IncrementLocally(key, window);
        }
        try
        {
            var result = (RedisResult[]?)await redis.GetDatabase()
                .ScriptEvaluateAsync(Script, [key], [(long)window.TotalMilliseconds])
                .WaitAsync(RedisTimeout);
            return new WindowCount((long)result![0], TimeSpan.FromMilliseconds((long)result[1]));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, e.GetType().Name);
            Interlocked.Exchange(ref _skipRedisUntilTicks, (DateTime.UtcNow + RetryRedisAfter).Ticks);
            return IncrementLocally(key, window);
        }
    }

    private WindowCount IncrementLocally(string key, TimeSpan window)
    {
        var now = DateTimeOffset.UtcNow;
        if (_local.Count > 100_000)
        {
            foreach (var (staleKey, stale) in _local)
            {
                if (stale.EndsAt <= now)
                {
                    _local.TryRemove(staleKey, out _);
                }
            }
        }

        var entry = _local.AddOrUpdate(key,
            _ => new LocalWindow(1, now + window),
            (_, current) => current.EndsAt <= now ? new LocalWindow(1, now + window) : current with { Count = current.Count + 1 });
        return new WindowCount(entry.Count, entry.EndsAt - now);
    }

    private sealed record LocalWindow(long Count, DateTimeOffset EndsAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate-limit store unavailable ({Reason}); counting in this replica's memory")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason);
}
