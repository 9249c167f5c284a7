using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using RealtimeService.Application;
using RealtimeService.Domain;
using StackExchange.Redis;

namespace RealtimeService.Infrastructure;

/// <summary>Publishes an event envelope on <c>realtime:events</c>, carrying the caller's trace context.</summary>
public sealed class RedisEventPublisher(IConnectionMultiplexer redis) : IEventPublisher
{
    public async Task PublishAsync(Guid? userId, JsonObject message, CancellationToken cancellationToken)
    {
        var envelope = new BackplaneEnvelope(userId, message, Activity.Current?.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(BackplaneEnvelope.Channel), envelope.ToJson());
    }
}

/// <summary>
/// Per-user connection sequence numbers from <c>INCR realtime:connection-seq:{userId}</c>, announced on
/// <c>realtime:connections</c>. When Redis is unreachable the sequence falls back to a local counter, so the
/// one-connection rule still holds on each replica (and across replicas again once Redis is back).
/// </summary>
public sealed partial class RedisConnectionOwnership(IConnectionMultiplexer redis, ILogger<RedisConnectionOwnership> logger)
    : IConnectionOwnership
{
    private static readonly TimeSpan SequenceKeyLifetime = TimeSpan.FromDays(2);
    private long _localSequence;

    public async Task<long> NextSequenceAsync(Guid userId, CancellationToken cancellationToken)
    {
        try
        {
            var database = redis.GetDatabase();
            var key = $"realtime:connection-seq:{userId}";
            var sequence = await database.StringIncrementAsync(key);
            await database.KeyExpireAsync(key, SequenceKeyLifetime, flags: CommandFlags.FireAndForget);
            return sequence;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, "connection sequence", e.GetType().Name);
            return Interlocked.Increment(ref _localSequence);
        }
    }

    public async Task AnnounceAsync(Guid userId, long sequence, CancellationToken cancellationToken)
    {
        try
        {
            var announcement = JsonSerializer.Serialize(new ConnectionAnnouncement(userId, sequence), MessageJson.Options);
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(ConnectionAnnouncement.Channel), announcement);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, "connection announcement", e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable for the {Purpose} ({Reason}); this replica acts alone")]
    private static partial void LogRedisUnavailable(ILogger logger, string purpose, string reason);
}
