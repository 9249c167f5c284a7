using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using RealtimeService.Domain;

namespace RealtimeService.Application;

/// <summary>
/// Hands one backplane event to the local connection(s) it is meant for. The message is serialized once
/// and the same bytes are queued on every connection; queuing never waits, so a slow client delays nobody.
/// </summary>
public sealed class DeliverEvent(ConnectionRegistry registry, RealtimeMetrics metrics)
{
    public static readonly ActivitySource ActivitySource = new("RealtimeService");

    public int Handle(Guid? userId, JsonObject message, string? traceParent)
    {
        ActivityContext.TryParse(traceParent, null, out var parent);
        using var activity = ActivitySource.StartActivity("realtime deliver", ActivityKind.Consumer, parent);
        activity?.SetTag("realtime.message.type", message["type"]?.ToString());
        activity?.SetTag("realtime.broadcast", userId is null);
        if (userId is { } user)
        {
            activity?.SetTag("enduser.id", user.ToString());
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, MessageJson.Options);
        var delivered = userId is { } target ? registry.DeliverToUser(target, bytes, activity?.Context ?? default) : registry.Broadcast(bytes);
        activity?.SetTag("realtime.delivered", delivered);
        metrics.Delivered(delivered, message["type"]?.ToString() ?? "unknown");
        return delivered;
    }
}
