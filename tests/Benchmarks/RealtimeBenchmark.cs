using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;

namespace Benchmarks;

/// <summary>
/// Holds N idle authenticated WebSocket connections on a standalone RealtimeService and reports its
/// memory per connection (VmRSS with N connections minus VmRSS with none, over N), then broadcasts
/// through <c>POST /internal/notify</c> → Redis → every connection and reports the delivery delay
/// (send timestamp inside the message, read by the receiver on the same clock) and deliveries per second.
/// </summary>
public sealed class RealtimeBenchmark : IBenchmarkSuite
{
    public string Name => "realtime";

    public string Description => "idle WebSocket memory per connection and broadcast fan-out latency (--counts 1000,10000 --broadcasts 5)";

    public async Task RunAsync(string[] args)
    {
        var counts = Option(args, "--counts", "1000,10000").Split(',').Select(int.Parse).ToArray();
        var broadcasts = int.Parse(Option(args, "--broadcasts", "5"));
        var serverGc = Option(args, "--gc", "server") == "server";
        var dll = Path.GetFullPath(Option(args, "--service-dll", FindServiceDll()));
        Console.WriteLine($"service: {dll} ({(serverGc ? "server" : "workstation")} GC); ulimit -n must exceed the largest count");

        var table = new Table("connections", "connect s", "RSS idle MiB", "RSS held MiB", "KiB / connection",
            "fan-out p50 ms", "fan-out p99 ms", "max ms", "deliveries / s (median)", "lost");
        foreach (var count in counts)
        {
            await using var host = await RealtimeBenchmarkHost.StartAsync(dll, serverGc);
            await Task.Delay(2000);
            var idleRss = host.ServiceRssBytes();
            await using var clients = new ClientSet(host, count);
            var connectSeconds = await Measure.TimeAsync(clients.ConnectAllAsync) / 1000;
            await Task.Delay(3000); // let the server settle (GC, pooled buffers returned)
            var heldRss = host.ServiceRssBytes();

            var latencies = new Samples();
            var rates = new List<double>();
            var lost = 0;
            using var http = new HttpClient();
            for (var round = 0; round < broadcasts; round++)
            {
                var (roundLatencies, seconds, missing) = await clients.BroadcastAsync(http, host.NotifyUri, round);
                latencies.AddRange(roundLatencies);
                rates.Add(roundLatencies.Count / seconds);
                lost += missing;
                await Task.Delay(500);
            }
            table.Add(count, connectSeconds, idleRss / 1048576.0, heldRss / 1048576.0, (heldRss - idleRss) / 1024.0 / count,
                latencies.Percentile(50), latencies.Percentile(99), latencies.Percentile(100), rates.Order().ElementAt(rates.Count / 2), lost);
        }
        table.Print();
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    private static string FindServiceDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "RealtimeService", "bin", "Release", "net10.0", "RealtimeService.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("Build it first: dotnet build -c Release RealtimeService/RealtimeService.csproj");
    }

    /// <summary>N clients spread over several 127.0.0.x source addresses, so ephemeral ports never run short.</summary>
    private sealed class ClientSet(RealtimeBenchmarkHost host, int count) : IAsyncDisposable
    {
        private const int SourceAddresses = 8;
        private const int ConnectConcurrency = 64;
        private readonly ClientWebSocket[] _sockets = new ClientWebSocket[count];
        private readonly List<Task> _receivers = [];
        private readonly HttpMessageInvoker[] _invokers = Enumerable.Range(0, SourceAddresses).Select(i => BoundInvoker(i + 2)).ToArray();
        private double[] _delays = [];
        private int _received;
        private TaskCompletionSource _allReceived = new();

        public async Task ConnectAllAsync()
        {
            using var gate = new SemaphoreSlim(ConnectConcurrency);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var socket = new ClientWebSocket();
                    socket.Options.KeepAliveInterval = TimeSpan.Zero;
                    var uri = new Uri($"{host.WebSocketUri}?access_token={host.MintToken(Guid.NewGuid())}");
                    await socket.ConnectAsync(uri, _invokers[i % SourceAddresses], CancellationToken.None);
                    _sockets[i] = socket;
                    var buffer = new byte[256];
                    await socket.ReceiveAsync(buffer, CancellationToken.None); // {"type":"connected",…}
                }
                finally
                {
                    gate.Release();
                }
            }));
            for (var i = 0; i < count; i++)
            {
                var index = i;
                _receivers.Add(Task.Run(() => ReceiveLoopAsync(index)));
            }
        }

        public async Task<(List<double> Latencies, double Seconds, int Missing)> BroadcastAsync(HttpClient http, Uri notify, int round)
        {
            _delays = new double[count];
            _received = 0;
            _allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var started = Stopwatch.GetTimestamp();
            var sentAt = DateTime.UtcNow.Ticks;
            var response = await http.PostAsJsonAsync(notify, new { title = $"round {round}", body = sentAt.ToString() });
            response.EnsureSuccessStatusCode();
            await Task.WhenAny(_allReceived.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var latencies = _delays.Where(d => d > 0).ToList();
            return (latencies, seconds, count - latencies.Count);
        }

        private async Task ReceiveLoopAsync(int index)
        {
            var buffer = new byte[512];
            var socket = _sockets[index];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    var receivedAt = DateTime.UtcNow.Ticks;
                    if (result.MessageType != WebSocketMessageType.Text)
                    {
                        return;
                    }
                    using var message = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                    if (message.RootElement.GetProperty("type").GetString() != "notification")
                    {
                        continue;
                    }
                    var sentAt = long.Parse(message.RootElement.GetProperty("body").GetString()!);
                    _delays[index] = Math.Max(0.001, (receivedAt - sentAt) / (double)TimeSpan.TicksPerMillisecond);
                    if (Interlocked.Increment(ref _received) == count)
                    {
                        _allReceived.TrySetResult();
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
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

        public async ValueTask DisposeAsync()
        {
            foreach (var socket in _sockets.Where(s => s is not null))
            {
                socket.Abort();
                socket.Dispose();
            }
            await Task.WhenAll(_receivers);
            foreach (var invoker in _invokers)
            {
                invoker.Dispose();
            }
        }
    }
}
