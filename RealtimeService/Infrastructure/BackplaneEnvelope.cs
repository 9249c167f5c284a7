using System.Text.Json;
using System.Text.Json.Nodes;
using RealtimeService.Domain;

namespace RealtimeService.Infrastructure;

/// <summary>
/// A message on the Redis channel <c>realtime:events</c> (internal contract 2):
/// <c>{"userId": uuid | null, "message": {"type", …}, "traceParent": string | null, "sentAtUnixMs": long}</c>.
/// A null userId is a broadcast to every connected user.
/// </summary>
public sealed record BackplaneEnvelope(Guid? UserId, JsonObject Message, string? TraceParent, long SentAtUnixMs)
{
    public const string Channel = "realtime:events";

    public string ToJson() => JsonSerializer.Serialize(this, MessageJson.Options);

    /// <summary>The envelope, or null when the text is not one (logged and dropped by the caller).</summary>
    public static BackplaneEnvelope? TryParse(string json)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<BackplaneEnvelope>(json, MessageJson.Options);
            return envelope?.Message?["type"] is JsonValue type && type.TryGetValue<string>(out _) ? envelope : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>On <c>realtime:connections</c>: a user's newest connection took this sequence number.</summary>
public sealed record ConnectionAnnouncement(Guid UserId, long Sequence)
{
    public const string Channel = "realtime:connections";
}
