using System.Diagnostics;
using System.Net.WebSockets;

namespace Benchmarks;

/// <summary>
/// Holds N connections on a standalone RealtimeService for a while, broadcasting every few seconds while
/// a share of the clients drop their socket and reconnect each second, and prints per interval the RSS,
/// the broadcast delay percentiles and the lost deliveries; at the end, the RSS trend (least-squares slope).
/// A client counts for a round only if it had been connected (greeting received) a grace period before the
/// round was sent, and is still on the same socket when the round is judged (just before the next one).
/// </summary>
public sealed class RealtimeSoak : IBenchmarkSuite
{
    private static readonly TimeSpan RegistrationGrace = TimeSpan.FromSeconds(2);

    public string Name => "realtime-soak";

    public string Description =>
        "N connections held with broadcasts and reconnect churn; RSS trend, lost, p99 per interval " +
        "(--connections 10000 --minutes 10 --broadcast-seconds 5 --reconnect-percent 1 --report-seconds 30 [--gcdump DIR])";

    public async Task RunAsync(string[] args)
    {
        var options = new RealtimeSuiteOptions(args);
        var count = Math.Clamp(int.Parse(options.Get("--connections", "10000")), 1, 50_000);
        var duration = TimeSpan.FromMinutes(Math.Clamp(double.Parse(options.Get("--minutes", "10"), System.Globalization.CultureInfo.InvariantCulture), 0.5, 60));
        var broadcastEvery = Math.Max(2, int.Parse(options.Get("--broadcast-seconds", "5")));
        var reconnectPerSecond = (int)Math.Round(count * double.Parse(options.Get("--reconnect-percent", "1"), System.Globalization.CultureInfo.InvariantCulture) / 100);
        var reportEvery = Math.Max(broadcastEvery, int.Parse(options.Get("--report-seconds", "30")));
        options.PrintService();
        Console.WriteLine($"soak: {count} connections for {duration.TotalMinutes:0.#} min, a broadcast every {broadcastEvery} s, " +
            $"{reconnectPerSecond} reconnects/s, a row every {reportEvery} s");

        await using var host = await RealtimeBenchmarkHost.StartAsync(options.ServiceDll, options.ServerGc, options.Environment);
        await Task.Delay(2000);
        var idleRss = await host.RssAfterFullGcAsync();
        await using var clients = new SoakClients(host, count);
        await clients.ConnectAllAsync();
        await Task.Delay(3000);
        var startRss = await host.RssAfterFullGcAsync();
        var gcDumpFolder = options.GetOrNull("--gcdump");
        if (gcDumpFolder is not null)
        {
            await RealtimeClients.GcDumpAsync(host.ServicePid, Path.Combine(gcDumpFolder, "soak-start.gcdump"));
        }
        Console.WriteLine($"RSS after a full GC: {idleRss / 1048576.0:0} MiB idle, {startRss / 1048576.0:0} MiB with {count} connections");

        var table = new Table("minute", "open", "RSS MiB", "reconnects", "rounds", "deliveries", "p50 ms", "p99 ms", "max ms", "lost");
        var rssPoints = new List<(double Minute, double MiB)>();
        var totalLost = 0;
        var round = -1;
        long roundSentAt = 0;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var started = Stopwatch.GetTimestamp();
        var (intervalLost, intervalRounds, intervalReconnects) = (0, 0, 0);
        for (var second = 1; await timer.WaitForNextTickAsync(); second++)
        {
            var ending = Stopwatch.GetElapsedTime(started) >= duration;
            intervalReconnects += ending ? 0 : clients.ReconnectSome(reconnectPerSecond);
            if (second % broadcastEvery == 0 || ending)
            {
                if (round >= 0)
                {
                    intervalLost += clients.CountLost(round, roundSentAt - (long)(RegistrationGrace.TotalSeconds * Stopwatch.Frequency));
                    intervalRounds++;
                }
                if (!ending)
                {
                    round++;
                    roundSentAt = Stopwatch.GetTimestamp();
                    await RealtimeClients.SendBroadcastAsync(http, host.NotifyUri, round);
                }
            }
            if (second % reportEvery == 0 || ending)
            {
                var minute = Stopwatch.GetElapsedTime(started).TotalMinutes;
                var rss = host.ServiceRssBytes() / 1048576.0;
                rssPoints.Add((minute, rss));
                var delays = clients.TakeDelays();
                table.Add(minute, clients.OpenCount, rss, intervalReconnects, intervalRounds, delays.Count,
                    delays.Percentile(50), delays.Percentile(99), delays.Percentile(100), intervalLost);
                totalLost += intervalLost;
                (intervalLost, intervalRounds, intervalReconnects) = (0, 0, 0);
            }
            if (ending)
            {
                break;
            }
        }
        await clients.WaitForReconnectsAsync();
        await Task.Delay(3000);
        var endRss = await host.RssAfterFullGcAsync();
        if (gcDumpFolder is not null)
        {
            await RealtimeClients.GcDumpAsync(host.ServicePid, Path.Combine(gcDumpFolder, "soak-end.gcdump"));
        }
        table.Print();
        Console.WriteLine($"RSS trend (least squares over the rows): {Slope(rssPoints):0.00} MiB/min; after a full GC: " +
            $"{startRss / 1048576.0:0} MiB at the start, {endRss / 1048576.0:0} MiB at the end; lost: {totalLost}; " +
            $"failed reconnects: {clients.FailedReconnects}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return double.NaN;
        }
        var (meanX, meanY) = (points.Average(p => p.X), points.Average(p => p.Y));
        return points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / points.Sum(p => (p.X - meanX) * (p.X - meanX));
    }

    /// <summary>One socket of a slot; a reconnect replaces the whole object, so late receipts of an old one never count.</summary>
    private sealed class Client(ClientWebSocket socket, long connectedAt)
    {
        public ClientWebSocket Socket { get; } = socket;

        public long ConnectedAt { get; } = connectedAt;

        public int LastRound = -1;
    }

    /// <summary>N slots, one user each; reconnecting a slot aborts its socket and connects again as the same user.</summary>
    private sealed class SoakClients(RealtimeBenchmarkHost host, int count) : IAsyncDisposable
    {
        private const int ConnectConcurrency = 64;
        private readonly RealtimeClients _factory = new(host);
        private readonly Guid[] _users = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
        private readonly Client?[] _slots = new Client?[count];
        private readonly bool[] _reconnecting = new bool[count];
        private readonly List<Task> _tasks = [];
        private readonly SemaphoreSlim _connectGate = new(ConnectConcurrency);
        private readonly Random _random = new(15);
        private List<double> _delays = [];
        private int _failedReconnects;

        public int OpenCount => _slots.Count(s => s is not null);

        public int FailedReconnects => Volatile.Read(ref _failedReconnects);

        public async Task ConnectAllAsync() =>
            await Task.WhenAll(Enumerable.Range(0, count).Select(ConnectSlotAsync));

        /// <summary>Drops and reconnects up to <paramref name="howMany"/> slots (closed ones first); returns how many it began.</summary>
        public int ReconnectSome(int howMany)
        {
            var begun = 0;
            for (var attempt = 0; attempt < howMany * 4 && begun < howMany; attempt++)
            {
                var index = _random.Next(count);
                lock (_reconnecting)
                {
                    if (_reconnecting[index])
                    {
                        continue;
                    }
                    _reconnecting[index] = true;
                }
                var old = Interlocked.Exchange(ref _slots[index], null);
                old?.Socket.Abort();
                old?.Socket.Dispose();
                lock (_tasks)
                {
                    _tasks.RemoveAll(t => t.IsCompleted);
                    _tasks.Add(ConnectSlotAsync(index));
                }
                begun++;
            }
            return begun;
        }

        /// <summary>Clients connected before <paramref name="connectedBefore"/> and still on that socket that lack the round.</summary>
        public int CountLost(int round, long connectedBefore) =>
            _slots.Count(c => c is not null && c.ConnectedAt < connectedBefore && Volatile.Read(ref c.LastRound) < round);

        public Samples TakeDelays()
        {
            List<double> taken;
            lock (_tasks)
            {
                (taken, _delays) = (_delays, []);
            }
            var samples = new Samples();
            samples.AddRange(taken);
            return samples;
        }

        public async Task WaitForReconnectsAsync()
        {
            Task[] pending;
            lock (_tasks)
            {
                pending = [.. _tasks];
            }
            await Task.WhenAll(pending);
        }

        private async Task ConnectSlotAsync(int index)
        {
            await _connectGate.WaitAsync();
            try
            {
                var socket = await _factory.ConnectAsync(index, _users[index]);
                var client = new Client(socket, Stopwatch.GetTimestamp());
                _slots[index] = client;
                _ = Task.Run(() => ReceiveLoopAsync(client));
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException)
            {
                Interlocked.Increment(ref _failedReconnects);
            }
            finally
            {
                _connectGate.Release();
                lock (_reconnecting)
                {
                    _reconnecting[index] = false;
                }
            }
        }

        private async Task ReceiveLoopAsync(Client client)
        {
            var buffer = new byte[512];
            try
            {
                while (client.Socket.State == WebSocketState.Open)
                {
                    var result = await client.Socket.ReceiveAsync(buffer, CancellationToken.None);
                    var receivedAt = DateTime.UtcNow.Ticks;
                    if (result.MessageType != WebSocketMessageType.Text)
                    {
                        return;
                    }
                    if (RealtimeClients.ReadNotification(buffer.AsSpan(0, result.Count), receivedAt) is { } notification)
                    {
                        Volatile.Write(ref client.LastRound, notification.Round);
                        lock (_tasks)
                        {
                            _delays.Add(notification.DelayMs);
                        }
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await WaitForReconnectsAsync();
            foreach (var client in _slots.Where(c => c is not null))
            {
                client!.Socket.Abort();
                client.Socket.Dispose();
            }
            _factory.Dispose();
            _connectGate.Dispose();
        }
    }
}
