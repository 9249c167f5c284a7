using System.Text;
using RealtimeService.Domain;
using RealtimeService.Infrastructure;

namespace UnitTests.Realtime;

public sealed class ClientMessageTests
{
    [Fact]
    public void AnAuthMessageCarriesItsToken() =>
        Assert.Equal(new ClientMessage.Auth("abc"), Parse("""{"type":"auth","token":"abc"}"""));

    [Fact]
    public void APongIsRecognised() => Assert.IsType<ClientMessage.Pong>(Parse("""{"type":"pong"}"""));

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"pong\"")]
    [InlineData("{}")]
    [InlineData("""{"type":5}""")]
    [InlineData("""{"type":"subscribe"}""")]
    [InlineData("""{"type":"auth"}""")]
    [InlineData("""{"type":"auth","token":null}""")]
    [InlineData("""{"type":"pong"} trailing""")]
    public void AnythingElseIsInvalidWithAReason(string text)
    {
        var invalid = Assert.IsType<ClientMessage.Invalid>(Parse(text));
        Assert.False(string.IsNullOrWhiteSpace(invalid.Reason));
    }

    [Fact]
    public void ServerMessagesUseTheContractsCamelCaseShape()
    {
        var userId = Guid.Parse("0b6a3c1e-9a77-4d8e-9a57-3c1f0c3c0e11");
        Assert.Equal("""{"type":"connected","userId":"0b6a3c1e-9a77-4d8e-9a57-3c1f0c3c0e11"}""", Text(ServerMessages.Connected(userId)));
        Assert.Equal("""{"type":"ping"}""", Text(ServerMessages.Ping));
        Assert.Equal("""{"type":"error","message":"x"}""", Text(ServerMessages.Error("x")));
        Assert.Equal("""{"type":"notification","title":"t","body":"b"}""", Text(ServerMessages.Notification("t", "b")));
        Assert.Equal("""{"type":"data_update","entity":"user","id":"1"}""", Text(ServerMessages.DataUpdate("user", "1")));
    }

    [Fact]
    public void ABackplaneEnvelopeOfInternalContractTwoParses()
    {
        var envelope = BackplaneEnvelope.TryParse(
            """{"userId":null,"message":{"type":"data_update","entity":"user","id":"x"},"traceParent":null,"sentAtUnixMs":1}""");

        Assert.NotNull(envelope);
        Assert.Null(envelope.UserId);
        Assert.Equal("data_update", envelope.Message["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("""{"userId":null,"message":{"title":"no type"}}""")]
    [InlineData("""{"userId":"not-a-uuid","message":{"type":"notification"}}""")]
    public void AMalformedEnvelopeIsDropped(string json) => Assert.Null(BackplaneEnvelope.TryParse(json));

    private static ClientMessage Parse(string text) => ClientMessage.Parse(Encoding.UTF8.GetBytes(text));

    private static string Text(ReadOnlyMemory<byte> utf8) => Encoding.UTF8.GetString(utf8.Span);
}
