using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using UserService.Application;
using UserService.Domain;

namespace UserService.Infrastructure;

/// <summary>
/// Cache-aside for profiles in Redis under <c>user:{id}</c>. Every entry carries the profile's version, and
/// a write only replaces an entry with an equal or newer version: a reader that loaded an old row before a
/// concurrent update cannot put the old value back after the update's replacement.
/// Every call is bounded (<see cref="CacheOptions.OperationTimeout"/>, for a write's replacement
/// <see cref="CacheOptions.ReplaceTimeout"/>), skipped at once while the <see cref="RedisBreaker"/> is open (a frozen
/// Redis costs nothing after the first deadlines), and never throws: on any Redis trouble it reports a miss (reads),
/// does nothing (fills) or reports false and hands the replacement to <see cref="CacheRepairQueue"/> (writes).
/// </summary>
public sealed partial class ProfileCache(
    IConnectionMultiplexer redis, RedisBreaker breaker, IOptions<CacheOptions> options, CacheRepairQueue repairs, UserMetrics metrics,
    ILogger<ProfileCache> logger) : IProfileCache
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Sets KEYS[1] to ARGV[1] for ARGV[3] ms unless it already holds a newer version than ARGV[2].
    private const string SetIfNotOlderScript = """
        local current = redis.call('GET', KEYS[1])
        if current then
          local ok, doc = pcall(cjson.decode, current)
          if ok and type(doc) == 'table' and tonumber(doc['version']) and tonumber(doc['version']) > tonumber(ARGV[2]) then
            return 0
          end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    public static string Key(Guid id) => $"user:{id}";

    private TimeSpan Timeout => options.Value.OperationTimeout;

    public async Task<UserProfile?> GetAsync(Guid id)
    {
        if (!redis.IsConnected)
        {
            metrics.CacheUnavailable();
            return null;
        }
        try
        {
            var value = await breaker.ExecuteAsync(() => redis.GetDatabase().StringGetAsync(Key(id)), Timeout);
            var cached = value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<CachedProfile>(value.ToString(), Json)?.ToProfile();
            if (cached is null)
            {
                metrics.CacheMiss();
            }
            else
            {
                metrics.CacheHit();
            }
            return cached;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or BrokenCircuitException or JsonException)
        {
            LogCacheUnavailable(logger, "read", e.GetType().Name);
            metrics.CacheUnavailable();
            return null;
        }
    }

    /// <summary>Fills the cache after a miss. Best effort: a failure only means the next read misses too.</summary>
    public async Task PopulateAsync(UserProfile profile)
    {
        if (!redis.IsConnected)
        {
            return;
        }
        try
        {
            await breaker.ExecuteAsync(() => SetIfNotOlderAsync(profile), Timeout);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or BrokenCircuitException)
        {
            LogCacheUnavailable(logger, "populate", e.GetType().Name);
        }
    }

    /// <summary>
    /// Replaces the entry after a write, before the write answers, through the breaker and within
    /// <see cref="CacheOptions.ReplaceTimeout"/>. When Redis cannot take it now the answer is false (the caller must
    /// not acknowledge the write) and the replacement is retried in the background, so that the older entry is gone
    /// as soon as Redis answers. A replacement sent to a frozen Redis runs when it thaws: harmless, since an entry
    /// never goes back to an older version.
    /// </summary>
    public async Task<bool> TryReplaceAsync(UserProfile profile)
    {
        try
        {
            await breaker.ExecuteAsync(() => SetIfNotOlderAsync(profile), options.Value.ReplaceTimeout);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or BrokenCircuitException)
        {
            LogCacheUnavailable(logger, "replace", e.GetType().Name);
            repairs.Enqueue(() => SetIfNotOlderAsync(profile), options.Value.ProfileTtl);
            return false;
        }
    }

    internal Task SetIfNotOlderAsync(UserProfile profile) =>
        redis.GetDatabase().ScriptEvaluateAsync(
            SetIfNotOlderScript,
            [Key(profile.Id)],
            [
                JsonSerializer.Serialize(CachedProfile.From(profile), Json),
                profile.Version,
                (long)options.Value.ProfileTtl.TotalMilliseconds,
            ]);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Profile cache {Operation} skipped: Redis unavailable ({Reason})")]
    private static partial void LogCacheUnavailable(ILogger logger, string operation, string reason);

    private sealed record CachedProfile(
        Guid Id, string Email, string DisplayName, string? Bio, string? AvatarUrl,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version)
    {
        public static CachedProfile From(UserProfile p) =>
            new(p.Id, p.Email, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt, p.UpdatedAt, p.Version);

        public UserProfile ToProfile() => new()
        {
            Id = Id, Email = Email, DisplayName = DisplayName, Bio = Bio, AvatarUrl = AvatarUrl,
            CreatedAt = CreatedAt, UpdatedAt = UpdatedAt, Version = Version,
        };
    }
}
