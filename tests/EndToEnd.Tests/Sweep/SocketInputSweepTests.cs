using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Sweep;

/// <summary>
/// Issue #9 item 7 on the socket (contract §4): a malformed client message gets an <c>error</c> message and the
/// connection stays; only a binary frame (1003), an oversized one (1009) or text that is not UTF-8 (1007) close it.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class SocketInputSweepTests(DistributedAppFixture fixture, ITestOutputHelper output)
{
    /// <summary>The error a non-object earns; no may-be-accepted mutant can earn it, so it marks the end of each exchange.</summary>
    private const string Sentinel = "[]";

    private static readonly string[] Classes = Mutator.Classes
        .Where(c => !c.StartsWith("encoding-", StringComparison.Ordinal) && c != "wrong-media-type").ToArray();

    [Fact]
    public async Task EveryMalformedClientMessageGetsAnErrorOrTheDocumentedClose()
    {
        var run = new SweepRun();
        var mutator = new Mutator(run.Random);
        var user = await Accounts.CreateAsync(fixture.Gateway);
        var sentinelReason = await ReasonForAsync(user, Sentinel);
        var client = await ConnectAsync(user);
        try
        {
            var bases = new (string Name, JsonObject Valid, string[] Fields)[]
            {
                ("ws pong", new JsonObject { ["type"] = "pong" }, ["type"]),
                ("ws auth", new JsonObject { ["type"] = "auth", ["token"] = user.AccessToken }, ["type", "token"]),
            };
            foreach (var (name, valid, fields) in bases)
            {
                foreach (var kind in Classes)
                {
                    var mutant = mutator.Make(kind, valid, fields);
                    client = await ExchangeAsync(run, name, mutant, client, user, sentinelReason);
                }
            }
            var big = new Mutant("oversized-frame", "65 KiB", Encoding.UTF8.GetBytes("{\"type\":\"pong\",\"pad\":\"" + new string('x', 65 * 1024) + "\"}"),
                null, [], new HashSet<int> { 1009 });
            client = await ExchangeAsync(run, "ws frame", big, client, user, sentinelReason);
            var binary = new Mutant("binary-frame", "pong as binary", Encoding.UTF8.GetBytes("{\"type\":\"pong\"}"), "binary", [], new HashSet<int> { 1003 });
            client = await ExchangeAsync(run, "ws frame", binary, client, user, sentinelReason);
        }
        finally
        {
            await client.DisposeAsync();
        }

        output.WriteLine(run.Report());
        run.AssertClean();
    }

    private async Task<RealtimeTestClient> ConnectAsync(TestUser user) =>
        await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.GatewayWebSocket(fixture), user);

    /// <summary>Sends the mutant then the sentinel; reads the answers up to the sentinel's error, or the close.</summary>
    private async Task<RealtimeTestClient> ExchangeAsync(SweepRun run, string route, Mutant mutant, RealtimeTestClient client, TestUser user, string sentinelReason)
    {
        var type = mutant.ContentType == "binary" ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        await client.Socket.SendAsync(mutant.Body, type, true, CancellationToken.None);
        await client.SendTextAsync(Sentinel);
        var errors = new List<string>();
        int? closed;
        while (true)
        {
            var (message, close) = await ReceiveAsync(client);
            if (message is null)
            {
                closed = close;
                break;
            }
            if (message.Value.GetProperty("type").GetString() != "error")
            {
                continue;
            }
            errors.Add(message.Value.GetProperty("message").GetString()!);
            // A refused mutant earns one error, then the sentinel's; an accepted one only the sentinel's.
            if (errors.Count == 2 || (mutant.MayBeAccepted && errors[0] == sentinelReason))
            {
                closed = null;
                break;
            }
        }

        if (closed is { } code)
        {
            run.Count(route, mutant.Class, $"close {code}");
            var allowed = mutant.Expected.Contains(code) || // RFC 6455 §8.1: text that is not UTF-8 fails the connection: a 1007 close, or the socket dropped.
                (mutant.Class == "invalid-utf8" && code is 1007 or -1) ||
                (mutant.Class == "overlong-string" && mutant.Body.Length > 64 * 1024 && code == 1009);
            if (!allowed)
            {
                run.Fail(route, mutant, code switch
                {
                    -1 => "the connection dropped without a close frame",
                    -2 => "no answer at all within 15 s",
                    _ => $"closed with {code}",
                });
            }
            await client.DisposeAsync();
            return await ConnectAsync(user);
        }
        run.Count(route, mutant.Class, errors.Count == 2 ? "error" : "accepted");
        if (errors.Count < 2 && !mutant.MayBeAccepted)
        {
            run.Fail(route, mutant, "no error message");
        }
        if (mutant.Class is "binary-frame" or "oversized-frame")
        {
            run.Fail(route, mutant, "the connection stayed open");
        }
        return client;
    }

    /// <summary>The next text message, or null and the close code (-1: dropped; -2: nothing within the client's patience).</summary>
    private static async Task<(JsonElement? Message, int Close)> ReceiveAsync(RealtimeTestClient client)
    {
        var buffer = new byte[128 * 1024];
        var length = 0;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var result = await client.Socket.ReceiveAsync(buffer.AsMemory(length), patience.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (null, (int?)client.Socket.CloseStatus ?? 1005);
                }
                length += result.Count;
                if (result.EndOfMessage)
                {
                    return (JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone(), 0);
                }
            }
        }
        catch (WebSocketException)
        {
            return (null, -1);
        }
        catch (OperationCanceledException)
        {
            return (null, -2);
        }
    }

    /// <summary>The reason the server gives for <paramref name="text"/> (on a connection of its own).</summary>
    private async Task<string> ReasonForAsync(TestUser user, string text)
    {
        await using var client = await ConnectAsync(user);
        await client.SendTextAsync(text);
        return (await client.ReceiveOfTypeAsync("error")).GetProperty("message").GetString()!;
    }
}
