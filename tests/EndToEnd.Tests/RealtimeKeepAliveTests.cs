using Aspire.Hosting.ApplicationModel;
using AppHost;

namespace EndToEnd.Tests;

/// <summary>An AppHost with short keepalive settings (ping every second, close after 3 s of silence).</summary>
public sealed class ShortKeepAliveFixture : DistributedAppFixture
{
    protected override IEnumerable<string> Settings =>
    [
        .. base.Settings,
        "--Replicas:UserService=1",
        "--Replicas:RealtimeService=1",
        "--Realtime:PingInterval=00:00:01",
        "--Realtime:IdleTimeout=00:00:03",
    ];
}

[CollectionDefinition(Name)]
public sealed class ShortKeepAliveCollection : ICollectionFixture<ShortKeepAliveFixture>
{
    public const string Name = "realtime short keepalive";
}

/// <summary>Contract §4 keepalive and graceful shutdown, through the gateway.</summary>
[Collection(ShortKeepAliveCollection.Name)]
public sealed class RealtimeKeepAliveTests(ShortKeepAliveFixture fixture)
{
    private Uri Gateway => RealtimeTestClient.GatewayWebSocket(fixture);

    [Fact]
    public async Task TheServerPingsAndAClientThatAnswersStaysConnected()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        // Five pings answered span well over the 3 s idle limit.
        for (var i = 0; i < 5; i++)
        {
            await client.ReceiveOfTypeAsync("ping");
            await client.SendJsonAsync(new { type = "pong" });
        }

        await RealtimeEndpoints.NotifyAsync(fixture, user.Id, "alive", "yes");
        Assert.Equal("alive", (await client.ReceiveOfTypeAsync("notification")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task ASilentClientIsClosedWith4408()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        Assert.Equal(4408, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task StoppingTheServiceClosesClientsWith1001()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);
        var replica = await SingleReplicaIdAsync();

        try
        {
            var stopping = fixture.App.ResourceCommands.ExecuteCommandAsync(replica, KnownResourceCommands.StopCommand);
            Assert.Equal(1001, await client.ReceiveCloseAsync(answerPings: true));
            await stopping;
        }
        finally
        {
            await client.DisposeAsync();
            await fixture.App.ResourceCommands.ExecuteCommandAsync(replica, KnownResourceCommands.StartCommand);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.RealtimeService, timeout.Token);
        }
    }

    private async Task<string> SingleReplicaIdAsync()
    {
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(enough.Token))
        {
            if (update.Resource.Name == ResourceNames.RealtimeService)
            {
                return update.ResourceId;
            }
        }
        throw new InvalidOperationException("no realtimeservice instance");
    }
}
