using System.Text;
using System.Text.Json;
using CsCheck;
using RealtimeService.Domain;

namespace UnitTests.Realtime;

/// <summary>
/// Properties of the WebSocket message reader (contract §4): any bytes give <c>Auth</c>, <c>Pong</c> or
/// <c>Invalid</c> with a reason (never an exception), and a well-formed message reads back as what was written.
/// </summary>
public sealed class ClientMessagePropertyTests
{
    private static readonly string[] Valid = ["{\"type\":\"pong\"}", "{\"type\":\"auth\",\"token\":\"eyJhbGciOiJFUzI1NiJ9.e30.c2ln\"}"];

    [Fact]
    public void RandomBytesAreNeverAnException() =>
        Gen.Byte.Array[0, 300].Sample(bytes => AssertDocumented(ClientMessage.Parse(bytes)), iter: 50_000);

    [Fact]
    public void MutatedMessagesAreNeverAnException() =>
        (from message in Gen.OneOf(Valid)
         from at in Gen.Double.Unit
         from remove in Gen.Int[0, 8]
         from insert in Gen.OneOf(Gen.Byte.Array[0, 6], Gen.OneOf(Escapes).Select(e => Encoding.UTF8.GetBytes(e)))
         select Edit(Encoding.UTF8.GetBytes(message), at, remove, insert))
        .Sample(bytes => AssertDocumented(ClientMessage.Parse(bytes)), iter: 50_000);

    [Fact]
    public void MembersOfAnyJsonKindAreNeverAnException() =>
        (from type in Gen.OneOf(Values)
         from token in Gen.OneOf(Values)
         from extra in Gen.OneOf("", ",\"type\":\"pong\"", ",\"x\":1e999999", ",\"token\":null")
         select $"{{\"type\":{type},\"token\":{token}{extra}}}")
        .Sample(json => AssertDocumented(ClientMessage.Parse(Encoding.UTF8.GetBytes(json))), iter: 5_000);

    [Fact]
    public void AnAuthMessageReadsBackItsToken() =>
        Gen.String[Gen.Char[' ', '\ud7ff'], 0, 200].Sample(token =>
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(new { type = "auth", token });

            Assert.Equal(new ClientMessage.Auth(token), ClientMessage.Parse(json));
        });

    [Fact]
    public void APongReadsBackAsPongAndAnyOtherTypeIsInvalid() =>
        Gen.String[Gen.Char[' ', '\ud7ff'], 0, 30].Sample(type =>
        {
            var parsed = ClientMessage.Parse(JsonSerializer.SerializeToUtf8Bytes(new { type }));

            Assert.True(type == "pong" ? parsed is ClientMessage.Pong : parsed is ClientMessage.Invalid);
        });

    private static readonly string[] Escapes = ["\\ud800", "\\udfff", "\\u0000", "\\\"", "\\", "\\u12", "\\x41", "\"", "\u00e9", "\uffff"];

    private static readonly string[] Values =
    [
        "\"pong\"", "\"auth\"", "\"t\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\\u0007\"", "1", "1e999999", "-0", "true", "null",
        "[]", "{}", "[[[[[[[[]]]]]]]]", "\"" + new string('a', 70_000) + "\"", "123456789012345678901234567890",
    ];

    private static void AssertDocumented(ClientMessage message)
    {
        Assert.NotNull(message);
        if (message is ClientMessage.Invalid invalid)
        {
            Assert.False(string.IsNullOrWhiteSpace(invalid.Reason));
        }
    }

    private static byte[] Edit(byte[] bytes, double at, int remove, byte[] insert)
    {
        var index = (int)(at * bytes.Length);
        return [.. bytes[..index], .. insert, .. bytes[Math.Min(bytes.Length, index + remove)..]];
    }
}
