using System.Collections.Concurrent;
using Gateway.Domain;
using StackExchange.Redis;

namespace Gateway.Infrastructure.RateLimiting;

/// <summary>Where a partition's permits are leased from.</summary>
public interface ILeaseStore
{
    Task<LeaseGrant> LeaseAsync(string tier, string partition, LeaseRequest request);
}

/// <summary>
/// Hands out rate-limit leases from the sliding-window log every gateway replica shares in Redis
/// (<c>ratelimit:{tier}:{partition}</c>, a sorted set: member <c>{permits}:{id}</c>, score = when they leave the
/// window, Unix ms of Redis's own clock). One Lua script per lease, atomic, the same algorithm as
/// <see cref="SlidingWindowLog"/>. When Redis does not answer within <see cref="RedisTimeout"/>, leases come from
/// this replica's memory for <see cref="RetryRedisAfter"/>: limits then hold per replica (at most N × the limit
/// across N replicas) instead of failing every request or letting every request through (see the README).
/// </summary>
public sealed partial class LeaseStore(IConnectionMultiplexer redis, TimeProvider clock, ILogger<LeaseStore> logger) : ILeaseStore
{
    public static readonly TimeSpan RedisTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>After a failure, Redis is left alone this long, so an outage does not add a timeout to every lease.</summary>
    public static readonly TimeSpan RetryRedisAfter = TimeSpan.FromSeconds(5);

    private const string Script = """
        local key = KEYS[1]
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local lifetime = tonumber(ARGV[3])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
        local returned = tonumber(ARGV[7])
        if returned > 0 then
          local score = redis.call('ZSCORE', key, ARGV[6])
          if score then
            redis.call('ZREM', key, ARGV[6])
            local keep = tonumber(string.match(ARGV[6], '^(%d+)')) - returned
            if keep > 0 then redis.call('ZADD', key, score, keep .. ':' .. ARGV[5] .. 'r') end
          end
        end
        local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
        local used = 0
        for i = 1, #entries, 2 do used = used + tonumber(string.match(entries[i], '^(%d+)')) end
        local available = limit - used
        if available > 0 then
          local granted = math.min(tonumber(ARGV[4]), math.max(1, math.floor(available / 16)))
          local freeAt = now + window
          if granted > 1 then freeAt = freeAt + lifetime end
          redis.call('ZADD', key, freeAt, granted .. ':' .. ARGV[5])
          redis.call('PEXPIRE', key, window + lifetime)
          local oldest = freeAt
          if #entries > 0 then oldest = math.min(oldest, tonumber(entries[2])) end
          return { granted, used, oldest - now }
        end
        local excess = used - limit + 1
        for i = 1, #entries, 2 do
          excess = excess - tonumber(string.match(entries[i], '^(%d+)'))
          if excess <= 0 then return { 0, used, tonumber(entries[i + 1]) - now } end
        end
        return { 0, used, window }
        """;

    private readonly ConcurrentDictionary<string, SlidingWindowLog> _local = new();
    private long _skipRedisUntilTicks;

    public static string RedisKey(string tier, string partition) => $"ratelimit:{tier}:{partition}";

    public async Task<LeaseGrant> LeaseAsync(string tier, string partition, LeaseRequest request)
    {
        var key = RedisKey(tier, partition);
        if (clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _skipRedisUntilTicks))
        {
            return LeaseLocally(key, request);
        }
        try
        {
            var result = (RedisResult[]?)await redis.GetDatabase()
                .ScriptEvaluateAsync(Script, [key],
                [
                    request.Limit, request.WindowMs, request.LeaseLifetimeMs, request.Desired, request.Id,
                    request.ReturnedMember ?? "", request.Returned,
                ])
                .WaitAsync(RedisTimeout);
            var granted = (int)result![0];
            return new LeaseGrant(granted, (long)result[1], (long)result[2], granted > 0 ? $"{granted}:{request.Id}" : null);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, e.GetType().Name);
            Interlocked.Exchange(ref _skipRedisUntilTicks, (clock.GetUtcNow() + RetryRedisAfter).UtcTicks);
            return LeaseLocally(key, request);
        }
    }

    private LeaseGrant LeaseLocally(string key, LeaseRequest request)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (_local.Count > 100_000)
        {
            foreach (var (staleKey, stale) in _local)
            {
                lock (stale)
                {
                    if (stale.IsEmpty(now))
                    {
                        _local.TryRemove(staleKey, out _);
                    }
                }
            }
        }
        var log = _local.GetOrAdd(key, _ => new SlidingWindowLog());
        lock (log)
        {
            return log.Lease(now, request);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate-limit store unavailable ({Reason}); leasing from this replica's memory")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason);
}
