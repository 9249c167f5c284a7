using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Login sessions (<c>sid</c>) that were revoked before their access tokens expired.</summary>
public interface ISessionRevocationList
{
    Task RevokeAsync(string sessionId, TimeSpan keepFor);

    Task<bool> IsRevokedAsync(string sessionId);
}

/// <summary>
/// The revocation list lives in Redis under <c>revoked-session:{sid}</c>, shared by every validator, with
/// a lifetime of at least the longest access token so that entries clean themselves up.
/// When Redis cannot answer, the check fails open (and logs it): a cache outage must not log every user out.
/// </summary>
internal sealed partial class RedisSessionRevocationList(IConnectionMultiplexer redis, ILogger<RedisSessionRevocationList> logger)
    : ISessionRevocationList
{
    public static string Key(string sessionId) => $"revoked-session:{sessionId}";

    public Task RevokeAsync(string sessionId, TimeSpan keepFor) =>
        redis.GetDatabase().StringSetAsync(Key(sessionId), "1", keepFor);

    public async Task<bool> IsRevokedAsync(string sessionId)
    {
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(Key(sessionId)).WaitAsync(TimeSpan.FromMilliseconds(500));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRevocationCheckUnavailable(logger, e.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session revocation list unavailable ({Reason}); token accepted on signature and lifetime alone")]
    private static partial void LogRevocationCheckUnavailable(ILogger logger, string reason);
}
