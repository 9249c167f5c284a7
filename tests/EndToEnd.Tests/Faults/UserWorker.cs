using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests.Faults;

/// <summary>
/// One logged-in user of the ledger: PATCH, GET me, search, refresh and login in a loop (paced to stay inside the
/// 100/min per-user quota), and a WebSocket that reconnects whenever it drops and counts the profile-change events
/// for this user. It remembers the last acknowledged displayName, and the PATCHes sent after it that got no clear
/// answer (any of which may have landed), so that reads can be checked against what was acknowledged.
/// </summary>
public sealed class UserWorker(int worker, Ledger ledger, GatewayPair gateways, TestUser user) : LedgerClient(worker, ledger, gateways)
{
    private static readonly Op[] Cycle = [Op.Patch, Op.GetMe, Op.Search, Op.Refresh, Op.Patch, Op.GetMe, Op.Search, Op.Login];
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(400);

    private readonly object _gate = new();
    private readonly List<string> _unacknowledgedSince = [];
    private Tokens _tokens = user.Tokens;
    private int _sequence;
    private int _events;
    private int _socketReplica = worker % gateways.Count;

    public TestUser User { get; } = user;

    /// <summary>The displayName of the last 200 PATCH (at first, the registered one).</summary>
    public string LastAcknowledged { get; private set; } = user.DisplayName;

    /// <summary>What a read may show now: the last acknowledged value, or one sent later without a clear answer.</summary>
    public IReadOnlyList<string> Acceptable
    {
        get
        {
            lock (_gate)
            {
                return [LastAcknowledged, .. _unacknowledgedSince];
            }
        }
    }

    /// <summary><c>data_update</c> messages for this user received so far, over every connection.</summary>
    public int Events => Volatile.Read(ref _events);

    /// <summary>The WebSocket is open and greeted (<c>connected</c>).</summary>
    public bool SocketConnected { get; private set; }

    public string AccessToken => _tokens.AccessToken;

    public async Task RunAsync(CancellationToken stop)
    {
        for (var step = 0; !stop.IsCancellationRequested; step++)
        {
            await StepAsync(Cycle[step % Cycle.Length]);
            await RegistrationWorker.Pause(stop, Pace);
        }
    }

    public async Task<Exchange> PatchAsync()
    {
        var name = $"{User.DisplayName[..Math.Min(User.DisplayName.Length, 40)]}-{Interlocked.Increment(ref _sequence)}";
        lock (_gate)
        {
            _unacknowledgedSince.Add(name);
        }
        var exchange = await SendAsync(Op.Patch, () => Authorized(HttpMethod.Patch, "/api/users/me", _tokens.AccessToken, new { displayName = name }),
            e => e.Body!.Value.GetProperty("displayName").GetString());
        if (exchange.Status == 200)
        {
            lock (_gate)
            {
                LastAcknowledged = exchange.Body!.Value.GetProperty("displayName").GetString()!;
                _unacknowledgedSince.Clear();
            }
        }
        else if (exchange.Status is >= 400 and < 500)
        {
            lock (_gate)
            {
                _unacknowledgedSince.Remove(name); // refused: it did not land
            }
        }
        await RenewIfRejectedAsync(exchange);
        return exchange;
    }

    /// <summary>GET /api/users/me; a 200 that shows neither the acknowledged value nor a later unanswered one is a stale read.</summary>
    public async Task<Exchange> GetMeAsync()
    {
        var acceptable = Acceptable;
        var exchange = await SendAsync(Op.GetMe, () => Authorized(HttpMethod.Get, "/api/users/me", _tokens.AccessToken));
        if (exchange.Status == 200 && exchange.Body!.Value.GetProperty("displayName").GetString() is { } seen && !acceptable.Contains(seen))
        {
            Ledger.StaleReads.Enqueue(new StaleRead(Worker, exchange.Start, seen, string.Join(" | ", acceptable)));
        }
        await RenewIfRejectedAsync(exchange);
        return exchange;
    }

    private async Task StepAsync(Op op)
    {
        switch (op)
        {
            case Op.Patch:
                await PatchAsync();
                break;
            case Op.GetMe:
                await GetMeAsync();
                break;
            case Op.Search:
                await SendAsync(Op.Search, () => new HttpRequestMessage(HttpMethod.Get,
                    $"/api/users?search={Uri.EscapeDataString(User.DisplayName[..8])}&pageSize=5"));
                break;
            case Op.Refresh:
                var refreshed = await SendAsync(Op.Refresh, () => Post("/api/auth/refresh", new { refreshToken = _tokens.RefreshToken }));
                if (refreshed.Status == 200)
                {
                    _tokens = Tokens.FromJson(refreshed.Body!.Value);
                }
                else if (refreshed.Status == 401)
                {
                    // A rotation whose answer was lost makes the old token a reuse, and the session is revoked.
                    await LoginAsync();
                }
                break;
            case Op.Login:
                await LoginAsync();
                break;
        }
    }

    private async Task LoginAsync()
    {
        var exchange = await SendAsync(Op.Login, () => Post("/api/auth/login", new { email = User.Email, password = Accounts.Password }));
        if (exchange.Status == 200)
        {
            _tokens = Tokens.FromJson(exchange.Body!.Value);
        }
    }

    private async Task RenewIfRejectedAsync(Exchange exchange)
    {
        if (exchange.Status == 401)
        {
            await LoginAsync();
        }
    }

    /// <summary>Keeps one WebSocket open for the user: reconnects (through either gateway) whenever it drops.</summary>
    public async Task RunSocketAsync(CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        while (!stop.IsCancellationRequested)
        {
            var (client, status) = await RealtimeTestClient.TryConnectAsync(RealtimeTestClient.WithToken(Gateways.WebSocket(_socketReplica), _tokens.AccessToken));
            if (client is null)
            {
                Ledger.SocketEvents.Enqueue((Ledger.Now, Worker, $"upgrade failed ({(int)status})"));
                if (status == 0)
                {
                    _socketReplica = (_socketReplica + 1) % Gateways.Count; // no answer at all: the gateway is gone
                }
                await RegistrationWorker.Pause(stop, TimeSpan.FromMilliseconds(500));
                continue;
            }
            await using (client)
            {
                Ledger.SocketEvents.Enqueue((Ledger.Now, Worker, "closed " + await ReceiveUntilClosedAsync(client.Socket, buffer, stop)));
            }
            SocketConnected = false;
            await RegistrationWorker.Pause(stop, TimeSpan.FromMilliseconds(300));
        }
    }

    private async Task<string> ReceiveUntilClosedAsync(ClientWebSocket socket, byte[] buffer, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), stop);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return $"by the server ({(int?)socket.CloseStatus})";
                    }
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                var message = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement;
                switch (message.GetProperty("type").GetString())
                {
                    case "connected":
                        SocketConnected = true;
                        break;
                    case "ping":
                        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"pong"}"""), WebSocketMessageType.Text, true, stop);
                        break;
                    case "data_update" when message.GetProperty("id").GetGuid() == User.Id:
                        Interlocked.Increment(ref _events);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return "by the client";
        }
        catch (WebSocketException e)
        {
            return $"dropped ({e.WebSocketErrorCode})";
        }
    }
}
