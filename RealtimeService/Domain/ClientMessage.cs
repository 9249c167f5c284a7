using System.Text.Json;

namespace RealtimeService.Domain;

/// <summary>A client → server message (contract §4): <c>auth</c> with a token, or <c>pong</c>.</summary>
public abstract record ClientMessage
{
    private ClientMessage() { }

    public sealed record Auth(string Token) : ClientMessage;

    public sealed record Pong : ClientMessage;

    /// <summary>Anything else: not JSON, not an object, no <c>type</c>, an unknown type, or a field missing.</summary>
    public sealed record Invalid(string Reason) : ClientMessage;

    public static ClientMessage Parse(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            // JsonDocument.Parse (unlike ParseValue) also rejects anything after the value.
            using var document = JsonDocument.Parse(utf8Json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new Invalid("A message must be a JSON object.");
            }
            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return new Invalid("A message needs a string 'type'.");
            }
            return type.GetString() switch
            {
                "pong" => new Pong(),
                "auth" when root.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String
                    => new Auth(token.GetString()!),
                "auth" => new Invalid("An 'auth' message needs a string 'token'."),
                _ => new Invalid("Unknown message type."),
            };
        }
        catch (JsonException)
        {
            return new Invalid("The message is not valid JSON.");
        }
        catch (InvalidOperationException)
        {
            // JsonDocument checks neither the UTF-8 inside strings nor escaped surrogate pairs; GetString does.
            return new Invalid("The message holds text that is not valid UTF-8 or UTF-16.");
        }
    }
}
