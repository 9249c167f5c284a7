using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using UserService.Application;

namespace UserService.Infrastructure;

/// <summary>
/// Short-lived cache of list/search pages (<c>users:list:{hash}</c>, at most 30 s, contract §3).
/// Pages are not invalidated on writes; they simply age out. Never throws, never waits past the timeout, skipped while the <see cref="RedisBreaker"/> is open.
/// </summary>
public sealed class ListCache(IConnectionMultiplexer redis, RedisBreaker breaker, IOptions<CacheOptions> options) : IPageCache
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private bool Enabled => options.Value.ListTtl > TimeSpan.Zero && redis.IsConnected;

    public static string Key(string? search, int page, int pageSize)
    {
        var query = $"{search}\n{page}\n{pageSize}";
        return $"users:list:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(query)))}";
    }

    public async Task<ProfilePage?> GetAsync(string? search, int page, int pageSize)
    {
        var key = Key(search, page, pageSize);
        if (!Enabled)
        {
            return null;
        }
        try
        {
            var value = await breaker.ExecuteAsync(() => redis.GetDatabase().StringGetAsync(key), options.Value.OperationTimeout);
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ProfilePage>(value.ToString(), Json);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or BrokenCircuitException or JsonException)
        {
            return null;
        }
    }

    public async Task SetAsync(string? search, int page, int pageSize, ProfilePage value)
    {
        var key = Key(search, page, pageSize);
        if (!Enabled)
        {
            return;
        }
        try
        {
            var ttl = options.Value.ListTtl < TimeSpan.FromSeconds(30) ? options.Value.ListTtl : TimeSpan.FromSeconds(30);
            await breaker.ExecuteAsync(() => redis.GetDatabase().StringSetAsync(key, JsonSerializer.Serialize(value, Json), ttl),
                options.Value.OperationTimeout);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or BrokenCircuitException)
        {
            // A page that is not cached is only read again from PostgreSQL.
        }
    }
}
