using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;

namespace Benchmarks;

/// <summary>
/// The client side of the realtime suites: authenticated WebSocket connections spread over several
/// 127.0.0.x source addresses, so that ephemeral ports never run short at 10 000 connections.
/// </summary>
internal sealed class RealtimeClients(RealtimeBenchmarkHost host, bool authByMessage = false) : IDisposable
{
    private const int SourceAddresses = 8;
    private readonly HttpMessageInvoker[] _invokers = Enumerable.Range(0, SourceAddresses).Select(i => BoundInvoker(i + 2)).ToArray();

    /// <summary>
    /// Connects as <paramref name="userId"/> and waits for the <c>connected</c> greeting: with a query token, or (the
    /// browser client's way, contract §4) with a first <c>auth</c> message.
    /// </summary>
    public async Task<ClientWebSocket> ConnectAsync(int index, Guid userId, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            var token = host.MintToken(userId);
            var uri = authByMessage ? host.WebSocketUri : new Uri($"{host.WebSocketUri}?access_token={token}");
            await socket.ConnectAsync(uri, _invokers[index % SourceAddresses], cancellationToken);
            if (authByMessage)
            {
                var auth = JsonSerializer.SerializeToUtf8Bytes(new { type = "auth", token });
                await socket.SendAsync(auth, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
            var buffer = new byte[256];
            await socket.ReceiveAsync(buffer, cancellationToken); // {"type":"connected",…}
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The round and delay (ms) of a <c>notification</c> whose title is <c>round N</c> and whose body is the
    /// send time in UTC ticks (same machine, same clock); null for any other message.
    /// </summary>
    public static (int Round, double DelayMs)? ReadNotification(ReadOnlySpan<byte> utf8Json, long receivedAtTicks)
    {
        var message = JsonDocument.Parse(utf8Json.ToArray());
        using (message)
        {
            var root = message.RootElement;
            if (root.GetProperty("type").GetString() != "notification")
            {
                return null;
            }
            var round = int.Parse(root.GetProperty("title").GetString()!.AsSpan("round ".Length));
            var sentAt = long.Parse(root.GetProperty("body").GetString()!);
            return (round, Math.Max(0.001, (receivedAtTicks - sentAt) / (double)TimeSpan.TicksPerMillisecond));
        }
    }

    /// <summary>Broadcasts <c>round N</c> through <c>POST /internal/notify</c>, stamped with the send time.</summary>
    public static async Task SendBroadcastAsync(HttpClient http, Uri notify, int round)
    {
        var sentAt = DateTime.UtcNow.Ticks;
        using var response = await http.PostAsJsonAsync(notify, new { title = $"round {round}", body = sentAt.ToString() });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Runs <c>dotnet-gcdump collect</c> (a .NET tool on PATH) on the service and prints its top types.</summary>
    public static async Task GcDumpAsync(int pid, string outputFile)
    {
        foreach (var arguments in new[] { $"collect -p {pid} -o {outputFile}", $"report {outputFile}" })
        {
            using var tool = Process.Start(new ProcessStartInfo("dotnet-gcdump", arguments) { RedirectStandardOutput = true })!;
            var output = await tool.StandardOutput.ReadToEndAsync();
            await tool.WaitForExitAsync();
            if (arguments.StartsWith("report", StringComparison.Ordinal))
            {
                Console.WriteLine(string.Join('\n', output.Split('\n').Take(12)));
            }
        }
    }

    private static HttpMessageInvoker BoundInvoker(int lastOctet) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellation) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{lastOctet}"), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        },
    });

    public void Dispose()
    {
        foreach (var invoker in _invokers)
        {
            invoker.Dispose();
        }
    }
}
