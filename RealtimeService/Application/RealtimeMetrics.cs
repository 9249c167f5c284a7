using System.Diagnostics.Metrics;

namespace RealtimeService.Application;

/// <summary>
/// Contract §6 for WebSockets, on the service's meter (named after it, exported by ServiceDefaults): messages handed
/// to sockets, clients dropped for not reading, and closes by WebSocket close code. Open sockets are Kestrel's own
/// <c>kestrel.upgraded_connections</c>.
/// </summary>
public sealed class RealtimeMetrics
{
    public const string MessageTypeAttribute = "realtime.message.type";
    public const string CloseCodeAttribute = "websocket.close.code";

    /// <summary>RFC 6455's code for a connection that ended without a close frame (aborted, dropped, lost).</summary>
    public const int ClosedWithoutFrame = 1006;

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _slowConsumerDrops;
    private readonly Counter<long> _closes;

    public RealtimeMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(typeof(RealtimeMetrics).Assembly.GetName().Name!);
        _deliveries = meter.CreateCounter<long>("realtime.deliveries", "{message}", "Messages queued to connected WebSockets, by message type.");
        _slowConsumerDrops = meter.CreateCounter<long>("realtime.slow_consumer.drops", "{connection}",
            "Connections dropped because their outgoing queue was full (the client stopped reading).");
        _closes = meter.CreateCounter<long>("realtime.websocket.closes", "{connection}", "WebSocket connections ended, by close code (1006: no close frame).");
    }

    public void Delivered(int count, string messageType)
    {
        if (count > 0)
        {
            _deliveries.Add(count, new KeyValuePair<string, object?>(MessageTypeAttribute, messageType));
        }
    }

    public void SlowConsumerDropped() => _slowConsumerDrops.Add(1);

    public void Closed(int? closeCode) => _closes.Add(1, new KeyValuePair<string, object?>(CloseCodeAttribute, closeCode ?? ClosedWithoutFrame));
}
