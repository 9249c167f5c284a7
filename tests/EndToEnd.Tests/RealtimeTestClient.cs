using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AppHost;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace EndToEnd.Tests;

/// <summary>A real WebSocket client of contract §4 over a real socket, with bounded waits (never timed assertions).</summary>
public sealed class RealtimeTestClient : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly byte[] _buffer = new byte[128 * 1024];

    private RealtimeTestClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>Connects; throws <see cref="WebSocketException"/> when the upgrade is refused (see <see cref="TryConnectAsync"/>).</summary>
    public static async Task<RealtimeTestClient> ConnectAsync(Uri uri)
    {
        var (client, status) = await TryConnectAsync(uri);
        return client ?? throw new InvalidOperationException($"upgrade refused with {status}");
    }

    public static async Task<(RealtimeTestClient? Client, HttpStatusCode Status)> TryConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
            return (new RealtimeTestClient(socket), socket.HttpStatusCode);
        }
        catch (WebSocketException)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
    }

    /// <summary>Connects with the token in the query and reads the <c>connected</c> greeting.</summary>
    public static async Task<RealtimeTestClient> ConnectAuthenticatedAsync(Uri webSocketBase, TestUser user)
    {
        var client = await ConnectAsync(WithToken(webSocketBase, user.AccessToken));
        var connected = await client.ReceiveOfTypeAsync("connected");
        Assert.Equal(user.Id, connected.GetProperty("userId").GetGuid());
        return client;
    }

    public static Uri GatewayWebSocket(DistributedAppFixture fixture) => ToWebSocket(fixture.GatewayAddress);

    public static Uri ToWebSocket(Uri http) => new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;

    public static Uri WithToken(Uri webSocket, string token) => new($"{webSocket}?access_token={Uri.EscapeDataString(token)}");

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendJsonAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    /// <summary>The next text message; fails if the server closes first.</summary>
    public async Task<JsonElement> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(_buffer.AsMemory(0, length)).RootElement.Clone();
            }
        }
    }

    /// <summary>The next message of the given type, skipping others (pings arrive at any time).</summary>
    public async Task<JsonElement> ReceiveOfTypeAsync(string type)
    {
        while (true)
        {
            var message = await ReceiveAsync();
            if (message.GetProperty("type").GetString() == type)
            {
                return message;
            }
        }
    }

    /// <summary>Reads until the server's close frame and returns its status code (null if the socket just dropped).</summary>
    public async Task<int?> ReceiveCloseAsync(bool answerPings = false)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(_buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (int?)result.CloseStatus;
                }
                if (answerPings && result.EndOfMessage && Encoding.UTF8.GetString(_buffer, 0, result.Count).Contains("\"ping\""))
                {
                    await SendJsonAsync(new { type = "pong" });
                }
            }
        }
        catch (WebSocketException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
        Socket.Dispose();
    }
}

/// <summary>RealtimeService's own ports: the proxied one (any replica) and each replica's own address.</summary>
public static class RealtimeEndpoints
{
    public static HttpClient Internal(DistributedAppFixture fixture) => fixture.App.CreateHttpClient(ResourceNames.RealtimeService, "http");

    public static async Task NotifyAsync(DistributedAppFixture fixture, Guid? userId, string title, string body)
    {
        using var client = Internal(fixture);
        var response = await client.PostAsJsonAsync("/internal/notify", new { userId, title, body });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>
    /// Each replica's own http address. Aspire runs every replica as its own DCP resource behind one proxied
    /// port; the replica's snapshot names the port it really listens on.
    /// </summary>
    public static async Task<IReadOnlyList<Uri>> ReplicaAddressesAsync(DistributedAppFixture fixture, string resource = ResourceNames.RealtimeService)
    {
        var replicas = new Dictionary<string, Uri>();
        var seen = new List<string>();
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            // WatchAsync first replays the current state of every resource instance.
            await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(enough.Token))
            {
                if (update.Resource.Name != resource)
                {
                    continue;
                }
                var variables = update.Snapshot.EnvironmentVariables;
                seen.Add($"{update.ResourceId}: {string.Join(", ", variables.Where(v => v.Name.Contains("URL") || v.Name.Contains("PORT")).Select(v => $"{v.Name}={v.Value}"))} urls {string.Join(", ", update.Snapshot.Urls.Select(u => u.Url))}");
                if (variables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value is { Length: > 0 } urls)
                {
                    replicas[update.ResourceId] = new Uri(urls.Split(';')[0].Replace("localhost", "127.0.0.1"));
                }
                if (replicas.Count == 2)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        Assert.True(replicas.Count >= 2, "replica addresses not found: " + string.Join(" | ", seen));
        return replicas.Values.ToList();
    }
}
