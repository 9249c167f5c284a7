using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RealtimeService.Application;
using UnitTests.Support;

namespace UnitTests.Realtime;

/// <summary>
/// DeliverEvent with the real registry and connections whose sockets write into memory; the ownership port is an
/// in-memory sequence. What a client would read is taken from the bytes its socket wrote.
/// </summary>
public sealed class DeliverEventTests
{
    private sealed class InMemoryOwnership : IConnectionOwnership
    {
        private long _sequence;

        public Task<long> NextSequenceAsync(Guid userId, CancellationToken cancellationToken) => Task.FromResult(Interlocked.Increment(ref _sequence));

        public Task AnnounceAsync(Guid userId, long sequence, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed record Client(RealtimeConnection Connection, MemoryStream Wire)
    {
        /// <summary>Closes the connection and returns the text frames its socket sent before the close frame.</summary>
        public async Task<List<string>> ReceivedAsync()
        {
            Connection.RequestClose(1000, "test over");
            await Connection.OutputEnded;
            var bytes = Wire.ToArray();
            var texts = new List<string>();
            // Server frames are unmasked; these payloads are short (< 126 bytes), so the length is the second byte.
            for (var at = 0; at < bytes.Length && bytes[at] == 0x81; at += 2 + bytes[at + 1])
            {
                texts.Add(Encoding.UTF8.GetString(bytes, at + 2, bytes[at + 1]));
            }
            return texts;
        }
    }

    private static readonly RealtimeMetrics Metrics = new(TestMeters.Factory);

    private ConnectionRegistry _registry = new(new InMemoryOwnership(), Options.Create(new RealtimeOptions()), NullLogger<ConnectionRegistry>.Instance);

    private async Task<Client> ConnectAsync(Guid userId)
    {
        var wire = new MemoryStream();
        var socket = WebSocket.CreateFromStream(wire, isServer: true, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        var connection = new RealtimeConnection(socket, new RealtimeOptions(), Metrics);
        connection.Authenticate(new AuthenticatedUser(userId, "session", DateTimeOffset.MaxValue));
        _registry.Track(connection);
        Assert.True(await _registry.RegisterAsync(connection, default));
        return new Client(connection, wire);
    }

    private static JsonObject Update(string id) => new() { ["type"] = "data_update", ["entity"] = "user", ["id"] = id };

    [Fact]
    public async Task AnEventForOneUserReachesThatUserOnly()
    {
        var ada = Guid.NewGuid();
        var adaClient = await ConnectAsync(ada);
        var bobClient = await ConnectAsync(Guid.NewGuid());

        var delivered = new DeliverEvent(_registry, Metrics).Handle(ada, Update("42"), traceParent: null);

        Assert.Equal(1, delivered);
        Assert.Equal(["""{"type":"data_update","entity":"user","id":"42"}"""], await adaClient.ReceivedAsync());
        Assert.Empty(await bobClient.ReceivedAsync());
    }

    [Fact]
    public async Task ABroadcastReachesEveryone()
    {
        var clients = new[] { await ConnectAsync(Guid.NewGuid()), await ConnectAsync(Guid.NewGuid()) };

        Assert.Equal(2, new DeliverEvent(_registry, Metrics).Handle(null, Update("7"), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));

        foreach (var client in clients)
        {
            Assert.Single(await client.ReceivedAsync());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task ABroadcastToThousandsReachesEachClientExactlyOnce(int parallelism)
    {
        // Above the threshold where the walk is split between threads (with parallelism > 1).
        _registry = new ConnectionRegistry(new InMemoryOwnership(), Options.Create(new RealtimeOptions { BroadcastParallelism = parallelism }),
            NullLogger<ConnectionRegistry>.Instance);
        var clients = new List<Client>();
        for (var i = 0; i < 2500; i++)
        {
            clients.Add(await ConnectAsync(Guid.NewGuid()));
        }

        Assert.Equal(2500, new DeliverEvent(_registry, Metrics).Handle(null, Update("9"), traceParent: null));

        foreach (var client in clients)
        {
            Assert.Equal(["""{"type":"data_update","entity":"user","id":"9"}"""], await client.ReceivedAsync());
        }
    }

    [Fact]
    public void AnEventForSomeoneNotConnectedHereIsDeliveredToNobody()
    {
        Assert.Equal(0, new DeliverEvent(_registry, Metrics).Handle(Guid.NewGuid(), Update("1"), traceParent: null));
    }
}
