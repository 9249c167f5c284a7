using System.Net;
using System.Net.WebSockets;
using System.Text;
using AppHost;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace EndToEnd.Tests;

/// <summary>Contract §4 through the gateway: authentication, the one-connection rule and the frame rules.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class RealtimeConnectionTests(DistributedAppFixture fixture)
{
    private Uri Gateway => RealtimeTestClient.GatewayWebSocket(fixture);

    [Fact]
    public async Task AQueryTokenAuthenticatesAndTheServerGreetsTheUser()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);

        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task AFirstAuthMessageAuthenticates()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAsync(Gateway);

        await client.SendJsonAsync(new { type = "auth", token = user.AccessToken });

        var connected = await client.ReceiveOfTypeAsync("connected");
        Assert.Equal(user.Id, connected.GetProperty("userId").GetGuid());
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEifQ.")]
    public async Task AnInvalidQueryTokenIs401BeforeTheUpgrade(string token)
    {
        var (client, status) = await RealtimeTestClient.TryConnectAsync(RealtimeTestClient.WithToken(Gateway, token));

        Assert.Null(client);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task AnInvalidAuthMessageTokenClosesWith4401()
    {
        await using var client = await RealtimeTestClient.ConnectAsync(Gateway);

        await client.SendJsonAsync(new { type = "auth", token = "not-a-jwt" });

        Assert.Equal(4401, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task NoAuthMessageWithinFiveSecondsClosesWith4401()
    {
        await using var client = await RealtimeTestClient.ConnectAsync(Gateway);

        Assert.Equal(4401, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task ATokenOfALoggedOutSessionIsRejected()
    {
        var registered = await Accounts.CreateAsync(fixture.Gateway);
        using var identity = fixture.App.CreateHttpClient(AppHost.ResourceNames.IdentityService, "http");
        var tokens = await Accounts.LoginAsync(identity, registered.Email, Accounts.Password);
        var logout = await Accounts.LogoutAsync(identity, tokens.AccessToken, tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        var (client, status) = await RealtimeTestClient.TryConnectAsync(RealtimeTestClient.WithToken(Gateway, tokens.AccessToken));

        Assert.Null(client);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task UnknownAndUnparseableMessagesGetAnErrorAndTheConnectionStays()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        await client.SendTextAsync("{ this is not json");
        var first = await client.ReceiveOfTypeAsync("error");
        await client.SendJsonAsync(new { type = "no_such_type" });
        var second = await client.ReceiveOfTypeAsync("error");
        await client.SendTextAsync("[1,2,3]");
        var third = await client.ReceiveOfTypeAsync("error");
        await client.SendJsonAsync(new { type = "pong" });

        Assert.All(new[] { first, second, third }, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("message").GetString())));
        await RealtimeEndpoints.NotifyAsync(fixture, user.Id, "still here", "yes");
        var notification = await client.ReceiveOfTypeAsync("notification");
        Assert.Equal("still here", notification.GetProperty("title").GetString());
    }

    [Fact]
    public async Task ABinaryFrameClosesWith1003()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        await client.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);

        Assert.Equal(1003, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task AMessageOver64KiBClosesWith1009()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        var oversized = "{\"type\":\"pong\",\"pad\":\"" + new string('x', 64 * 1024) + "\"}";
        await client.Socket.SendAsync(Encoding.UTF8.GetBytes(oversized), WebSocketMessageType.Text, true, CancellationToken.None);

        Assert.Equal(1009, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task AMessageJustUnder64KiBIsAccepted()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        var prefix = "{\"type\":\"pong\",\"pad\":\"";
        var large = prefix + new string('x', 64 * 1024 - prefix.Length - 2) + "\"}";
        await client.SendTextAsync(large);
        await RealtimeEndpoints.NotifyAsync(fixture, user.Id, "after large", "ok");

        Assert.Equal("after large", (await client.ReceiveOfTypeAsync("notification")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task ASecondConnectionOfTheSameUserClosesTheFirstWith4409()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var first = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        await using var second = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        Assert.Equal(4409, await first.ReceiveCloseAsync());
        await RealtimeEndpoints.NotifyAsync(fixture, user.Id, "to the newest", "only");
        Assert.Equal("to the newest", (await second.ReceiveOfTypeAsync("notification")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task ASecondConnectionOnAnotherReplicaClosesTheFirstWith4409()
    {
        var replicas = await RealtimeEndpoints.ReplicaAddressesAsync(fixture);
        Assert.Equal(2, replicas.Count);
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var first = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.ToWebSocket(replicas[0]), user);

        await using var second = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.ToWebSocket(replicas[1]), user);

        Assert.Equal(4409, await first.ReceiveCloseAsync());
        await RealtimeEndpoints.NotifyAsync(fixture, user.Id, "to replica two", "only");
        Assert.Equal("to replica two", (await second.ReceiveOfTypeAsync("notification")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task AfterAClientDropsItsSocketTheUserCanConnectAgainAndReceive()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        var dropped = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);
        dropped.Socket.Abort();
        await dropped.DisposeAsync();

        await using var again = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);
        await RealtimeEndpoints.NotifyAsync(fixture, user.Id, "welcome back", "hi");

        Assert.Equal("welcome back", (await again.ReceiveOfTypeAsync("notification")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task TokensNeverAppearInAnyServiceLog()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using (var byQuery = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user))
        {
        }
        await using (var byMessage = await RealtimeTestClient.ConnectAsync(Gateway))
        {
            await byMessage.SendJsonAsync(new { type = "auth", token = user.AccessToken });
            await byMessage.ReceiveOfTypeAsync("connected");
        }
        var forged = user.AccessToken[..^8] + "AAAAAAAA";
        await RealtimeTestClient.TryConnectAsync(RealtimeTestClient.WithToken(Gateway, forged));

        var signature = user.AccessToken.Split('.')[2];
        var loggers = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        var lines = 0;
        foreach (var instance in await ResourceInstancesAsync())
        {
            await foreach (var batch in loggers.GetAllAsync(instance))
            {
                foreach (var line in batch)
                {
                    lines++;
                    Assert.DoesNotContain(signature, line.Content);
                    Assert.DoesNotContain("AAAAAAAA", line.Content);
                    Assert.DoesNotContain("access_token=ey", line.Content);
                }
            }
        }
        Assert.True(lines > 0, "no service logs were captured");
    }

    [Fact]
    public async Task AnUpgradeHasItsRequestRecordWhileTheSocketIsStillOpen()
    {
        var user = await Accounts.CreateAsync(fixture.Gateway);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(Gateway, user);

        // Contract §6, one record per request: /ws writes it when the upgrade is answered, not when the socket ends.
        var instances = await ResourceInstancesAsync();
        var loggers = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        await Poll.UntilAsync(async () =>
        {
            foreach (var instance in instances.Where(id => id.StartsWith(ResourceNames.RealtimeService, StringComparison.Ordinal)))
            {
                await foreach (var batch in loggers.GetAllAsync(instance))
                {
                    if (batch.Any(line => line.Content.Contains("HTTP GET /ws responded 101", StringComparison.Ordinal)
                        && line.Content.Contains($"user {user.Id}", StringComparison.Ordinal)))
                    {
                        return true;
                    }
                }
            }
            return false;
        }, what: "the realtime service's request record of the upgrade");
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    private async Task<IReadOnlyList<string>> ResourceInstancesAsync()
    {
        var instances = new HashSet<string>();
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(enough.Token))
            {
                if (update.Resource.Name is ResourceNames.Gateway or ResourceNames.RealtimeService or ResourceNames.IdentityService)
                {
                    instances.Add(update.ResourceId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return instances.ToList();
    }
}
