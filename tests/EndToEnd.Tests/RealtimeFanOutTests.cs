using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using AppHost;
using StackExchange.Redis;

namespace EndToEnd.Tests;

/// <summary>Contract §4 and internal contract 2: events raised anywhere reach the user on whichever replica holds it.</summary>
[Collection(DistributedAppCollection.Name)]
public class RealtimeFanOutTests(DistributedAppFixture fixture)
{
    private Uri Gateway => RealtimeTestClient.GatewayWebSocket(fixture);

    [Fact]
    public async Task AProfileChangeReachesTheOwnersConnectionAsDataUpdate()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        using var patch = Requests.Authorized(HttpMethod.Patch, "/api/users/me", user, new { displayName = "Renamed Realtime" });
        var response = await fixture.Gateway.SendAsync(patch);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var update = await client.ReceiveOfTypeAsync("data_update");
        Assert.Equal("user", update.GetProperty("entity").GetString());
        Assert.Equal(user.Id.ToString(), update.GetProperty("id").GetString());
    }

    [Fact]
    public async Task ANotificationReachesItsUserOnEitherReplicaAndNobodyElse()
    {
        var replicas = await RealtimeEndpoints.ReplicaAddressesAsync(fixture);
        Assert.Equal(2, replicas.Count);
        var alice = await Accounts.CreateAsync(fixture.Gateway);
        var bob = await Accounts.CreateAsync(fixture.Gateway);
        await using var onFirst = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.ToWebSocket(replicas[0]), alice);
        await using var onSecond = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.ToWebSocket(replicas[1]), bob);

        // Each notify call lands on one replica (the service's proxied port); both users still receive theirs.
        for (var i = 0; i < 3; i++)
        {
            await RealtimeEndpoints.NotifyAsync(fixture, alice.Id, $"for alice {i}", "a");
            await RealtimeEndpoints.NotifyAsync(fixture, bob.Id, $"for bob {i}", "b");
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"for alice {i}", (await onFirst.ReceiveOfTypeAsync("notification")).GetProperty("title").GetString());
            Assert.Equal($"for bob {i}", (await onSecond.ReceiveOfTypeAsync("notification")).GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task ABroadcastReachesUsersOnBothReplicas()
    {
        var replicas = await RealtimeEndpoints.ReplicaAddressesAsync(fixture);
        var alice = await Accounts.CreateAsync(fixture.Gateway);
        var bob = await Accounts.CreateAsync(fixture.Gateway);
        await using var onFirst = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.ToWebSocket(replicas[0]), alice);
        await using var onSecond = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.ToWebSocket(replicas[^1]), bob);
        var title = $"broadcast {Guid.NewGuid():N}";

        await RealtimeEndpoints.NotifyAsync(fixture, null, title, "everyone");

        Assert.Equal(title, (await ReceiveNotificationTitled(onFirst, title)).GetProperty("title").GetString());
        Assert.Equal("everyone", (await ReceiveNotificationTitled(onSecond, title)).GetProperty("body").GetString());
    }

    [Fact]
    public async Task AProfileChangeReachesTheOwnerOnTheOtherReplica()
    {
        var replicas = await RealtimeEndpoints.ReplicaAddressesAsync(fixture);
        var user = await Accounts.CreateAsync(fixture.Gateway);
        foreach (var replica in replicas)
        {
            await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.ToWebSocket(replica), user);
            using var patch = Requests.Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio = $"on {replica.Port}" });
            Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.SendAsync(patch)).StatusCode);

            var update = await client.ReceiveOfTypeAsync("data_update");
            Assert.Equal(user.Id.ToString(), update.GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task InternalNotifyIsNotReachableThroughTheGateway()
    {
        var response = await fixture.Gateway.PostAsJsonAsync("/internal/notify", new { title = "x", body = "y" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task InternalNotifyRejectsBadInputWithProblemDetails()
    {
        using var client = RealtimeEndpoints.Internal(fixture);

        var invalid = await client.PostAsJsonAsync("/internal/notify", new { userId = "nope", title = "", body = 5 });
        var problem = await Problems.ExpectAsync(invalid, HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("userId", out _));
        Assert.True(errors.TryGetProperty("title", out _));
        Assert.True(errors.TryGetProperty("body", out _));

        await Problems.ExpectAsync(
            await client.PostAsync("/internal/notify", Requests.RawJson("{not json")), HttpStatusCode.BadRequest);
        await Problems.ExpectAsync(
            await client.PostAsync("/internal/notify", Requests.RawJson("[]")), HttpStatusCode.BadRequest);
        await Problems.ExpectAsync(
            await client.PostAsync("/internal/notify", Requests.RawJson("{}", "text/plain")), HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task AClientThatNeverReadsIsDisconnectedAndOthersKeepReceiving()
    {
        var slowUser = await Accounts.CreateAsync(fixture.Gateway);
        var fastUser = await Accounts.CreateAsync(fixture.Gateway);
        await using var slow = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, slowUser);
        await using var fast = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, fastUser);
        await using var redis = await Stores.RedisAsync(fixture);
        var publisher = redis.GetSubscriber();

        // Far more than the socket buffers on every hop plus the server's queue can hold: 4 000 × 16 KiB = 64 MiB.
        var padding = new string('x', 16 * 1024);
        var floodCount = 4000;
        for (var i = 0; i < floodCount; i++)
        {
            await publisher.PublishAsync(RedisChannel.Literal("realtime:events"), Envelope(slowUser.Id, $"flood {i}", padding));
        }
        // The fast client is served while the slow one is still not reading.
        await publisher.PublishAsync(RedisChannel.Literal("realtime:events"), Envelope(fastUser.Id, "for the fast one", "hi"));
        Assert.Equal("for the fast one", (await fast.ReceiveOfTypeAsync("notification")).GetProperty("title").GetString());

        // Now the slow client reads: the server has ended its connection (a close frame or a dropped socket)
        // before the flood was over. Running out of patience while messages still flow is a failure.
        var (received, ended) = await DrainAsync(slow.Socket);
        Assert.True(ended, $"the connection was still open after {received} messages");
        Assert.True(received < floodCount, $"the slow client read all {received} messages");
    }

    /// <summary>Reads until the server ends the connection; counts the notifications that came before.</summary>
    private static async Task<(int Notifications, bool EndedByServer)> DrainAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        var notifications = 0;
        while (true)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, patience.Token);
            }
            catch (WebSocketException)
            {
                return (notifications, true);
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (notifications, true);
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                using var document = JsonDocument.Parse(message.ToArray());
                notifications += document.RootElement.GetProperty("type").GetString() == "notification" ? 1 : 0;
                message.SetLength(0);
            }
        }
    }

    private static string Envelope(Guid? userId, string title, string body) => JsonSerializer.Serialize(new
    {
        userId,
        message = new { type = "notification", title, body },
        traceParent = (string?)null,
        sentAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    });

    private static async Task<JsonElement> ReceiveNotificationTitled(RealtimeTestClient client, string title)
    {
        while (true)
        {
            var message = await client.ReceiveOfTypeAsync("notification");
            if (message.GetProperty("title").GetString() == title)
            {
                return message;
            }
        }
    }
}
