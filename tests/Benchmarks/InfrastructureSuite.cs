using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Benchmarks;

/// <summary>
/// redis-server against an embedded Redis-compatible server (Microsoft.Garnet's garnet-server tool) as the
/// AppHost's local Redis: time to the first PONG, resident memory when idle, and redis-benchmark SET/GET
/// throughput, interleaved over rounds. Needs redis-server, redis-benchmark and a garnet-server binary:
///   dotnet tool install garnet-server --tool-path /tmp/garnet --version 2.2.8
///   dotnet run -c Release --project tests/Benchmarks -- infrastructure [--garnet /tmp/garnet/garnet-server] [--rounds 3]
/// </summary>
public sealed partial class InfrastructureSuite : IBenchmarkSuite
{
    public string Name => "infrastructure";

    public string Description => "redis-server vs garnet-server as the local Redis: start-up, memory, SET/GET throughput";

    public async Task RunAsync(string[] args)
    {
        var garnet = Option(args, "--garnet") ?? "/tmp/garnet/garnet-server";
        var rounds = int.Parse(Option(args, "--rounds") ?? "3");
        var servers = new (string Name, Func<int, ProcessStartInfo> Start)[]
        {
            ("redis-server", port => new ProcessStartInfo("redis-server", ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])),
            ("garnet-server", port => new ProcessStartInfo(garnet, ["--port", $"{port}", "--bind", "127.0.0.1"])),
        };

        var results = await Measure.InterleavedAsync(rounds,
            servers.Select((s, i) => (s.Name, (Func<Task<ServerFigures>>)(() => MeasureAsync(s.Start(16390 + i))))).ToList());

        var table = new Table("server", "start-up ms (median)", "idle RSS MiB", "SET req/s", "GET req/s", "rounds");
        foreach (var (name, figures) in results)
        {
            table.Add(name, Median(figures.Select(f => f.StartupMs)), Median(figures.Select(f => f.RssKiB / 1024.0)),
                Median(figures.Select(f => f.SetPerSecond)), Median(figures.Select(f => f.GetPerSecond)), figures.Count);
        }
        table.Print();
    }

    private static async Task<ServerFigures> MeasureAsync(ProcessStartInfo startInfo)
    {
        var port = int.Parse(startInfo.ArgumentList[startInfo.ArgumentList.IndexOf("--port") + 1]);
        startInfo.RedirectStandardOutput = startInfo.RedirectStandardError = true;
        var started = Stopwatch.GetTimestamp();
        using var server = Process.Start(startInfo)!;
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            while (!await AnswersPingAsync(port))
            {
                await Task.Delay(10);
            }
            var startupMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var rss = ResidentKiB(server.Id);
            var output = await RunAsync("redis-benchmark", ["-p", $"{port}", "-q", "-t", "set,get", "-n", "50000", "-c", "20"]);
            return new ServerFigures(startupMs, rss, Throughput(output, "SET"), Throughput(output, "GET"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static async Task<bool> AnswersPingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The server's resident memory, its children included (the garnet tool is a launcher).</summary>
    private static long ResidentKiB(int pid)
    {
        long total = 0;
        foreach (var dir in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var status = File.ReadAllText(Path.Combine(dir, "status"));
                var id = int.Parse(Path.GetFileName(dir));
                var parent = int.Parse(StatusField(status, "PPid"));
                if (id == pid || parent == pid)
                {
                    total += long.Parse(StatusField(status, "VmRSS").Split(' ')[0]);
                }
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
            {
                // processes come and go while we look
            }
        }
        return total;
    }

    private static string StatusField(string status, string field) =>
        status.Split('\n').First(line => line.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim();

    private static double Throughput(string output, string command) =>
        ThroughputLine().Matches(output).Where(m => m.Groups[1].Value == command).Select(m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).LastOrDefault();

    [GeneratedRegex(@"(SET|GET): ([0-9.]+) requests per second")]
    private static partial Regex ThroughputLine();

    private static async Task<string> RunAsync(string command, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private sealed record ServerFigures(double StartupMs, long RssKiB, double SetPerSecond, double GetPerSecond);
}
