using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace EndToEnd.Tests.Faults;

/// <summary>Both gateway replicas as a client sees them: an HTTP client and a WebSocket address each.</summary>
public sealed class GatewayPair : IDisposable
{
    /// <summary>
    /// Longer than any deadline the system may take (5 s + margin), so that a call that hangs is recorded with its
    /// real duration; short enough that a hang does not stall the suite.
    /// </summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpClient[] _clients;

    public GatewayPair(DistributedAppFixture fixture)
    {
        _clients = [.. Enumerable.Range(0, DistributedAppFixture.GatewayReplicas).Select(i =>
        {
            // A new connection from a new loopback address per request: each request is a fresh client IP (the auth
            // tier allows 5/min per IP), and a killed gateway leaves no pooled connection behind.
            var client = GatewayClients.Create(new Uri($"http://127.0.0.1:{fixture.GatewayPort + i}"), GatewayClients.FreshAddressPerRequest);
            client.Timeout = ClientTimeout;
            return client;
        })];
    }

    public int Count => _clients.Length;

    public HttpClient Http(int replica) => _clients[replica];

    public Uri WebSocket(int replica) => RealtimeTestClient.ToWebSocket(_clients[replica].BaseAddress!);

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}

/// <summary>What one exchange gave: the status (null: no answer), the JSON body of a success, and the time it took.</summary>
public sealed record Exchange(int? Status, JsonElement? Body, bool RetryAfter, string? Error, TimeSpan Start, TimeSpan Duration)
{
    public bool Success => Status is >= 200 and < 300;

    public string Outcome => Status?.ToString() ?? Error ?? "no answer";
}

/// <summary>
/// A ledger worker's way of calling the gateway, the way a careful client does: it prefers one gateway replica and
/// moves to the other when its connection is refused (then the request was never sent, so it is sent again at
/// once) or lost; every call goes into the ledger.
/// </summary>
public abstract class LedgerClient(int worker, Ledger ledger, GatewayPair gateways)
{
    protected int Worker { get; } = worker;

    protected Ledger Ledger { get; } = ledger;

    protected GatewayPair Gateways { get; } = gateways;

    /// <summary>The gateway replica this client talks to now.</summary>
    protected int Replica { get; set; } = worker % gateways.Count;

    protected void MoveToOtherGateway(string why)
    {
        Replica = (Replica + 1) % Gateways.Count;
        Ledger.SocketEvents.Enqueue((Ledger.Now, Worker, $"moved to gateway {Replica} ({why})"));
    }

    protected async Task<Exchange> SendAsync(Op op, Func<HttpRequestMessage> request, Func<Exchange, string?>? acknowledged = null)
    {
        var start = Ledger.Now;
        var exchange = await ExchangeAsync(request, start);
        Ledger.Add(new Call(op, Worker, exchange.Start, exchange.Duration, exchange.Status, exchange.Error, exchange.RetryAfter,
            exchange.Success ? acknowledged?.Invoke(exchange) : null));
        return exchange;
    }

    private async Task<Exchange> ExchangeAsync(Func<HttpRequestMessage> request, TimeSpan start)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var message = request();
                using var response = await Gateways.Http(Replica).SendAsync(message);
                var text = await response.Content.ReadAsStringAsync();
                JsonElement? body = response.IsSuccessStatusCode && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : null;
                return new Exchange((int)response.StatusCode, body, response.Headers.RetryAfter is not null, null, start, Ledger.Now - start);
            }
            catch (HttpRequestException e) when (attempt == 0 && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                MoveToOtherGateway("refused");
            }
            catch (HttpRequestException e)
            {
                MoveToOtherGateway(e.HttpRequestError.ToString());
                return new Exchange(null, null, false, e.HttpRequestError.ToString(), start, Ledger.Now - start);
            }
            catch (TaskCanceledException)
            {
                return new Exchange(null, null, false, "client timeout", start, Ledger.Now - start);
            }
        }
    }

    protected static HttpRequestMessage Post(string path, object body) => new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    protected static HttpRequestMessage Authorized(HttpMethod method, string path, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path).WithBearer(token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }
}

/// <summary>Registers new accounts one after another; an attempt without a clear answer is retried with the same address.</summary>
public sealed class RegistrationWorker(int worker, Ledger ledger, GatewayPair gateways) : LedgerClient(worker, ledger, gateways)
{
    private const int Attempts = 5;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var registration = new Registration(Accounts.UniqueEmail("fault"), Accounts.Unique("Fault"));
            Ledger.Registrations.Enqueue(registration);
            for (var attempt = 0; attempt < Attempts && !stop.IsCancellationRequested; attempt++)
            {
                var exchange = await SendAsync(Op.Register,
                    () => Post("/api/auth/register", new { email = registration.Email, password = Accounts.Password, displayName = registration.DisplayName }),
                    e => e.Body!.Value.GetProperty("userId").GetString());
                if (exchange.Status == 201)
                {
                    registration.AcknowledgedId = exchange.Body!.Value.GetProperty("userId").GetGuid();
                    break;
                }
                if (exchange.Status == 409)
                {
                    registration.ConflictOnRetry = registration.Ambiguous;
                    break;
                }
                if (exchange.Status is not (null or >= 500 or 429))
                {
                    break; // a refusal a retry would not change; the ledger shows it
                }
                registration.Ambiguous |= exchange.Status is null or >= 500;
                await Pause(stop, TimeSpan.FromMilliseconds(500));
            }
            await Pause(stop, TimeSpan.FromMilliseconds(300));
        }
    }

    internal static async Task Pause(CancellationToken stop, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
