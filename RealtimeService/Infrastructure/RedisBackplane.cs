using System.Text.Json;
using RealtimeService.Application;
using RealtimeService.Domain;
using StackExchange.Redis;

namespace RealtimeService.Infrastructure;

/// <summary>
/// Listens to Redis pub/sub for the whole replica: events on <c>realtime:events</c> (internal contract 2)
/// go to the local connections they are meant for; announcements on <c>realtime:connections</c> close this
/// replica's older connection of a user who just connected elsewhere (4409).
/// </summary>
public sealed partial class RedisBackplane(
    IConnectionMultiplexer redis,
    ConnectionRegistry registry,
    DeliverEvent deliver,
    ILogger<RedisBackplane> logger) : BackgroundService
{
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
}
