using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeService.Domain;

/// <summary>
/// The server → client messages of contract §4, serialized once to UTF-8 bytes so that a broadcast
/// shares one buffer among every connection it reaches.
/// </summary>
public static class ServerMessages
{
    public static readonly ReadOnlyMemory<byte> Ping = Serialize(new TypedMessage("ping"));

    public static ReadOnlyMemory<byte> Connected(Guid userId) => Serialize(new ConnectedMessage("connected", userId));

    public static ReadOnlyMemory<byte> Error(string message) => Serialize(new ErrorMessage("error", message));

    public static ReadOnlyMemory<byte> Notification(string title, string body) =>
        Serialize(new NotificationMessage("notification", title, body));

    public static ReadOnlyMemory<byte> DataUpdate(string entity, string id) =>
        Serialize(new DataUpdateMessage("data_update", entity, id));

    private static byte[] Serialize<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, MessageJson.Options);

    private sealed record TypedMessage(string Type);

    private sealed record ConnectedMessage(string Type, Guid UserId);

    private sealed record ErrorMessage(string Type, string Message);

    private sealed record NotificationMessage(string Type, string Title, string Body);

    private sealed record DataUpdateMessage(string Type, string Entity, string Id);
}

public static class MessageJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
