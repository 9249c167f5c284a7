using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using RealtimeService.Application;
using RealtimeService.Domain;
using StackExchange.Redis;

namespace RealtimeService.Infrastructure;

/// <summary>
/// Redis pub/sub between replicas: events on <c>realtime:events</c> (internal contract 2) and newest-connection
/// announcements on <c>realtime:connections</c>; per-user connection sequence numbers come from
/// <c>INCR realtime:connection-seq:{userId}</c>. When Redis is unreachable the sequence falls back to a
/// local counter, so the one-connection rule still holds on each replica.
/// </summary>
public sealed partial class RedisBackplane(
    IConnectionMultiplexer redis,
    ConnectionRegistry registry,
    DeliverEvent deliver,
    ILogger<RedisBackplane> logger) : BackgroundService, IEventPublisher, IConnectionOwnership
{
    private static readonly TimeSpan SequenceKeyLifetime = TimeSpan.FromDays(2);
    private long _localSequence = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.GetSubscriber();
        var events = await subscriber.SubscribeAsync(RedisChannel.Literal(BackplaneEnvelope.Channel));
        events.OnMessage(message => OnEvent(message.Message));
        var announcements = await subscriber.SubscribeAsync(RedisChannel.Literal(ConnectionAnnouncement.Channel));
        announcements.OnMessage(message => OnAnnouncement(message.Message));
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            await events.UnsubscribeAsync();
            await announcements.UnsubscribeAsync();
        }
    }

    public async Task PublishAsync(Guid? userId, JsonObject message, CancellationToken cancellationToken)
    {
        var envelope = new BackplaneEnvelope(userId, message, Activity.Current?.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(BackplaneEnvelope.Channel), envelope.ToJson());
    }

    public async Task<long> NextSequenceAsync(Guid userId, CancellationToken cancellationToken)
    {
        try
        {
            var database = redis.GetDatabase();
            var key = $"realtime:connection-seq:{userId}";
            var sequence = await database.StringIncrementAsync(key);
            _ = database.KeyExpireAsync(key, SequenceKeyLifetime, flags: CommandFlags.FireAndForget);
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

    private void OnEvent(RedisValue value)
    {
        if (BackplaneEnvelope.TryParse(value.ToString()) is not { } envelope)
        {
            LogMalformed(logger, BackplaneEnvelope.Channel);
            return;
        }
        deliver.Handle(envelope.UserId, envelope.Message, envelope.TraceParent);
    }

    private void OnAnnouncement(RedisValue value)
    {
        try
        {
            if (JsonSerializer.Deserialize<ConnectionAnnouncement>(value.ToString(), MessageJson.Options) is { } announcement)
            {
                registry.OnConnectionAnnounced(announcement.UserId, announcement.Sequence);
            }
        }
        catch (JsonException)
        {
            LogMalformed(logger, ConnectionAnnouncement.Channel);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a malformed message on {Channel}")]
    private static partial void LogMalformed(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable for the {Purpose} ({Reason}); this replica acts alone")]
    private static partial void LogRedisUnavailable(ILogger logger, string purpose, string reason);
}
