using System.Diagnostics;
using System.Net.WebSockets;

namespace Benchmarks;

/// <summary>
/// Holds N idle authenticated WebSocket connections on a standalone RealtimeService and reports its
/// memory per connection (VmRSS after a forced full GC with N connections, minus the same with none, over N),
/// then broadcasts through <c>POST /internal/notify</c> → Redis → every connection and reports the delivery
/// delay (send timestamp inside the message, read by the receiver on the same clock) and deliveries per second.
/// With <c>--marginal-from M</c> it first holds M connections and measures there too: the marginal figure,
/// (RSS with N − RSS with M) / (N − M), leaves out what the process grows once (code paths paged in and compiled,
/// thread-pool threads, pools) and is the cost of one more idle connection.
/// </summary>
public sealed class RealtimeBenchmark : IBenchmarkSuite
{
    public string Name => "realtime";

    public string Description =>
        "idle WebSocket memory per connection and broadcast fan-out latency (--counts 1000,10000 --broadcasts 5 [--auth query|message] [--marginal-from M] [--gc server|workstation] [--service-dll X] [--env K=V] [--gcdump DIR])";

    public async Task RunAsync(string[] args)
    {
        var options = new RealtimeSuiteOptions(args);
        var counts = options.Get("--counts", "1000,10000").Split(',').Select(int.Parse).ToArray();
        var broadcasts = int.Parse(options.Get("--broadcasts", "5"));
        var gcDumpFolder = options.GetOrNull("--gcdump");
        var authByMessage = options.Get("--auth", "query") == "message";
        var marginalFrom = int.Parse(options.Get("--marginal-from", "0"));
        options.PrintService();
        Console.WriteLine($"clients authenticate {(authByMessage ? "with a first auth message" : "with a query token")}");

        var table = new Table("connections", "connect s", "RSS idle MiB", "RSS held MiB", "KiB / connection",
            $"marginal KiB / connection ({marginalFrom}→N)", "fan-out p50 ms", "fan-out p99 ms", "max ms", "deliveries / s (median)", "lost");
        foreach (var count in counts)
        {
            await using var host = await RealtimeBenchmarkHost.StartAsync(options.ServiceDll, options.ServerGc, options.Environment);
            await Task.Delay(2000);
            var idleRss = await host.RssAfterFullGcAsync();
            await using var clients = new ClientSet(host, count, authByMessage);
            var first = marginalFrom > 0 && marginalFrom < count ? marginalFrom : 0;
            long? firstRss = null;
            var connectSeconds = 0.0;
            if (first > 0)
            {
                connectSeconds += await Measure.TimeAsync(() => clients.ConnectAsync(0, first)) / 1000;
                await Task.Delay(3000);
                firstRss = await host.RssAfterFullGcAsync();
            }
            connectSeconds += await Measure.TimeAsync(() => clients.ConnectAsync(first, count)) / 1000;
            await Task.Delay(3000); // let the server settle (pooled buffers returned)
            var heldRss = await host.RssAfterFullGcAsync();
            if (gcDumpFolder is not null)
            {
                await RealtimeClients.GcDumpAsync(host.ServicePid, Path.Combine(gcDumpFolder, $"realtime-{count}.gcdump"));
            }

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
                firstRss is { } m ? $"{(heldRss - m) / 1024.0 / (count - first):F2}" : "-",
                latencies.Percentile(50), latencies.Percentile(99), latencies.Percentile(100), rates.Order().ElementAt(rates.Count / 2), lost);
        }
        table.Print();
    }

    /// <summary>N idle clients that only read; each notes the delay of the broadcast it receives.</summary>
    private sealed class ClientSet(RealtimeBenchmarkHost host, int count, bool authByMessage) : IAsyncDisposable
    {
        private const int ConnectConcurrency = 64;
        private readonly RealtimeClients _factory = new(host, authByMessage);
        private readonly ClientWebSocket[] _sockets = new ClientWebSocket[count];
        private readonly List<Task> _receivers = [];
        private double[] _delays = [];
        private int _received;
        private TaskCompletionSource _allReceived = new();

        /// <summary>Connects clients <paramref name="from"/> to <paramref name="to"/> (exclusive) and starts their readers.</summary>
        public async Task ConnectAsync(int from, int to)
        {
            using var gate = new SemaphoreSlim(ConnectConcurrency);
            await Task.WhenAll(Enumerable.Range(from, to - from).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    _sockets[i] = await _factory.ConnectAsync(i, Guid.NewGuid());
                }
                finally
                {
                    gate.Release();
                }
            }));
            for (var i = from; i < to; i++)
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
            await RealtimeClients.SendBroadcastAsync(http, notify, round);
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
                    if (RealtimeClients.ReadNotification(buffer.AsSpan(0, result.Count), receivedAt) is not { } notification)
                    {
                        continue;
                    }
                    _delays[index] = notification.DelayMs;
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

        public async ValueTask DisposeAsync()
        {
            foreach (var socket in _sockets.Where(s => s is not null))
            {
                socket.Abort();
                socket.Dispose();
            }
            await Task.WhenAll(_receivers);
            _factory.Dispose();
        }
    }
}

/// <summary>Command-line options shared by the realtime suites.</summary>
internal sealed class RealtimeSuiteOptions(string[] args)
{
    /// <summary><c>--gc server|workstation</c> overrides the service's own runtimeconfig; absent, it runs as built.</summary>
    public bool? ServerGc => GetOrNull("--gc") is { } gc ? gc == "server" : null;

    public string ServiceDll => Path.GetFullPath(GetOrNull("--service-dll") ?? FindServiceDll());

    /// <summary>Every <c>--env NAME=VALUE</c>, passed to the service process.</summary>
    public Dictionary<string, string> Environment => args
        .Select((arg, i) => (arg, i))
        .Where(a => a.arg == "--env" && a.i + 1 < args.Length)
        .Select(a => args[a.i + 1].Split('=', 2))
        .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");

    public string Get(string name, string fallback) => GetOrNull(name) ?? fallback;

    public string? GetOrNull(string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public void PrintService()
    {
        var environment = string.Join(' ', Environment.Select(e => $"{e.Key}={e.Value}"));
        Console.WriteLine($"service: {ServiceDll} ({ServerGc switch { true => "server GC", false => "workstation GC", null => "GC as built" }}{(environment.Length > 0 ? ", " + environment : "")}); " +
            $"load average {File.ReadAllText("/proc/loadavg").Trim()}; ulimit -n must exceed the largest count");
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
}
