using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using UserService.Application;

namespace UserService.Infrastructure;

/// <summary>
/// Publishes profile changes on the realtime backplane (internal contract 2: Redis channel
/// <c>realtime:events</c>) with the W3C trace context, so that one trace runs from the PATCH to the
/// WebSocket send. A publish Redis cannot take now is retried in the background for a minute.
/// </summary>
public sealed partial class RealtimeEventPublisher(
    IConnectionMultiplexer redis, IOptions<CacheOptions> options, CacheRepairQueue retries,
    TimeProvider time, UserMetrics metrics, ILogger<RealtimeEventPublisher> logger) : IProfileEvents
{
    public const string Channel = "realtime:events";
    public static readonly ActivitySource ActivitySource = new("UserService");
    private static readonly TimeSpan RetryFor = TimeSpan.FromMinutes(1);

    public async Task PublishProfileChangedAsync(Guid userId)
    {
        using var activity = ActivitySource.StartActivity($"publish {Channel}", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.destination.name", Channel);
        var envelope = new BackplaneMessage(
            userId,
            new DataUpdate("data_update", "user", userId.ToString()),
            Activity.Current?.Id,
            time.GetUtcNow().ToUnixTimeMilliseconds());
        var payload = JsonSerializer.Serialize(envelope, BackplaneJson.Options);
        try
        {
            await PublishAsync(payload).WaitAsync(options.Value.OperationTimeout);
            metrics.EventPublished();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogDeferred(logger, e.GetType().Name);
            activity?.SetStatus(ActivityStatusCode.Error, "deferred");
            metrics.EventDeferred();
            retries.Enqueue(() => PublishAsync(payload), RetryFor);
        }
    }

    private Task PublishAsync(string payload) =>
        redis.GetSubscriber().PublishAsync(RedisChannel.Literal(Channel), payload);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Realtime event deferred: Redis unavailable ({Reason})")]
    private static partial void LogDeferred(ILogger logger, string reason);

    private sealed record BackplaneMessage(Guid? UserId, DataUpdate Message, string? TraceParent, long SentAtUnixMs);

    private sealed record DataUpdate(string Type, string Entity, string Id);

    private static class BackplaneJson
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}
