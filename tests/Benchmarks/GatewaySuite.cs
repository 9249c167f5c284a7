using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Benchmarks;

/// <summary>
/// First the real thing: <c>GET /api/users/me</c> on a profile-cache hit, on the Release UserService directly, through
/// nginx <c>proxy_pass</c> and through the Release gateway (JWT validation, revocation, rate limit, YARP), interleaved;
/// then the Redis round trips such a request costs end to end, counted from Redis (<c>MONITOR</c>, commands sent by
/// clients — not those a script runs inside Redis) over <c>--requests</c> sequential requests, by command, next to
/// an idle interval. Then the gateway's cost per request, side by side against one backend (nginx serving static 1 KiB and 64 KiB bodies):
/// direct; through nginx <c>proxy_pass</c> (the outside yardstick); through the gateway on a route without policies
/// (YARP plus the always-on middleware); through the full edge (JWT validation with the Redis revocation check plus
/// the Redis rate limiter); and the full edge with JWE response encryption (<c>X-Session-Id</c>). Load from
/// <c>wrk -t1</c>, interleaved and rotated each round. Then the handshake: sequential <c>POST /api/session</c>.
/// Needs Gateway built in Release, <c>nginx</c>, <c>redis-server</c> and <c>wrk</c>.
/// </summary>
public sealed partial class GatewaySuite : IBenchmarkSuite
{
    public string Name => "gateway";

    public string Description => "direct vs nginx vs gateway (proxy only, full edge, +JWE): req/s, p50/p99; handshake cost";

    public async Task RunAsync(string[] args)
    {
        var rounds = Option(args, "--rounds", 3);
        var seconds = Option(args, "--seconds", 5);
        var connections = Option(args, "--connections", 16);
        var overrides = args.Select((arg, i) => (arg, i)).Where(a => a.arg == "--gateway-env" && a.i + 1 < args.Length)
            .Select(a => args[a.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        await using var lab = await GatewayLab.StartAsync(overrides);
        var token = lab.AccessToken;
        var session = await lab.StartSessionAsync();

        string[] bearer = [$"Authorization: Bearer {token}"];
        if (Array.IndexOf(args, "--trace") is var traceAt and >= 0)
        {
            await ProfileAsync(lab, bearer, args[traceAt + 1], seconds, connections);
            return;
        }
        await UsersMeAsync(lab, bearer, rounds, seconds, connections);
        await RedisRoundTripsAsync(lab, Option(args, "--requests", 200));
        if (args.Contains("--users-me-only"))
        {
            return;
        }
        var variants = new List<(string Name, Func<string, string> Url, string[] Headers)>
        {
            ("direct (nginx static)", size => $"http://127.0.0.1:{lab.BackendPort}/plain/{size}.json", []),
            ("nginx proxy_pass", size => $"http://127.0.0.1:{lab.NginxProxyPort}/plain/{size}.json", []),
            ("gateway, proxy only", size => $"http://127.0.0.1:{lab.GatewayPort}/plain/{size}.json", []),
            ("gateway, JWT + rate limit", size => $"http://127.0.0.1:{lab.GatewayPort}/edge/{size}.json", bearer),
            ("gateway, JWT + rate limit + JWE", size => $"http://127.0.0.1:{lab.GatewayPort}/edge/{size}.json",
                [.. bearer, $"X-Session-Id: {session}"]),
        };

        Console.WriteLine($"gateway suite: {rounds} rounds × {variants.Count} variants × 2 sizes, wrk -t1 -c{connections} -d{seconds}s");
        foreach (var size in new[] { "1k", "64k" })
        {
            foreach (var variant in variants)
            {
                await Wrk.RunAsync(variant.Url(size), variant.Headers, 1, connections); // warm-up
            }
            var results = await Measure.InterleavedAsync(rounds, variants
                .Select(v => (v.Name, (Func<Task<LoadWithCpu>>)(() => RunWithCpuAsync(lab, v.Url(size), v.Headers, seconds, connections))))
                .ToList());
            Console.WriteLine();
            Console.WriteLine($"body {size.ToUpperInvariant().Replace("K", " KiB", StringComparison.Ordinal)}");
            PrintWithCpu(results, seconds);
        }

        Console.WriteLine();
        Console.WriteLine("handshake: POST /api/session (ECDH P-256 + HKDF + sealed key in Redis), sequential, vs GET /plain/1k.json");
        var handshake = await lab.TimeHandshakesAsync(rounds * 100);
        var handshakeTable = new Table("call", "p50 ms", "p99 ms", "count");
        foreach (var (name, samples) in handshake)
        {
            handshakeTable.Add(name, samples.Percentile(50), samples.Percentile(99), samples.Count);
        }
        handshakeTable.Print();
    }

    private static async Task UsersMeAsync(GatewayLab lab, string[] bearer, int rounds, int seconds, int connections)
    {
        var variants = new List<(string Name, string Url)>
        {
            ("direct UserService", $"http://127.0.0.1:{lab.UsersPort}/api/users/me"),
            ("nginx proxy_pass → UserService", $"http://127.0.0.1:{lab.NginxUsersPort}/api/users/me"),
            ("gateway → UserService", $"http://127.0.0.1:{lab.GatewayPort}/api/users/me"),
        };
        Console.WriteLine($"GET /api/users/me, profile cache hit: {rounds} rounds × {variants.Count} variants, wrk -t1 -c{connections} -d{seconds}s");
        foreach (var variant in variants)
        {
            await Wrk.RunAsync(variant.Url, bearer, 1, connections); // warm-up: JIT, pools, JWK set, token cache, profile cache
        }
        var results = await Measure.InterleavedAsync(rounds, variants
            .Select(v => (v.Name, (Func<Task<LoadWithCpu>>)(() => RunWithCpuAsync(lab, v.Url, bearer, seconds, connections))))
            .ToList());
        PrintWithCpu(results, seconds);
        Console.WriteLine();
    }

    private sealed record LoadWithCpu(WrkResult Load, Dictionary<string, double> CpuMs);

    /// <summary>One wrk run, and the CPU time every lab process used meanwhile (/proc/PID/stat).</summary>
    private static async Task<LoadWithCpu> RunWithCpuAsync(GatewayLab lab, string url, string[] headers, int seconds, int connections)
    {
        var before = lab.CpuMilliseconds();
        var load = await Wrk.RunAsync(url, headers, seconds, connections);
        var after = lab.CpuMilliseconds();
        return new LoadWithCpu(load, after.ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key)));
    }

    /// <summary>The variants' table (the first is "direct", the second "nginx") with each process's CPU per request.</summary>
    private static void PrintWithCpu(Dictionary<string, List<LoadWithCpu>> results, int seconds)
    {
        var names = results.Keys.ToList();
        var direct = Median(results[names[0]].Select(r => r.Load.RequestsPerSecond));
        var nginx = Median(results[names[1]].Select(r => r.Load.RequestsPerSecond));
        var processes = results.Values.SelectMany(runs => runs.SelectMany(r => r.CpuMs.Keys)).Distinct().Order()
            .Where(p => results.Values.Any(runs => runs.Any(r => r.CpuMs[p] > 0))).ToList();
        var table = new Table(["variant", "req/s (median)", "min", "max", "p50 ms", "p99 ms", "÷ direct", "÷ nginx",
            .. processes.Select(p => $"{p} µs CPU/req")]);
        foreach (var (name, runs) in results)
        {
            var rps = Median(runs.Select(r => r.Load.RequestsPerSecond));
            table.Add([name, rps, runs.Min(r => r.Load.RequestsPerSecond), runs.Max(r => r.Load.RequestsPerSecond),
                Median(runs.Select(r => r.Load.P50Ms)), Median(runs.Select(r => r.Load.P99Ms)), rps / direct, rps / nginx,
                .. processes.Select(p => (object)Median(runs.Select(r =>
                    r.CpuMs.GetValueOrDefault(p) * 1000 / (r.Load.RequestsPerSecond * seconds))))]);
        }
        table.Print();
        Console.WriteLine("(µs CPU/req: user + system time of each lab process during the run ÷ requests served; 10 ms clock ticks)");
    }

    /// <summary>
    /// Where the gateway's time goes on <c>GET /api/users/me</c>: a CPU-sampling trace of the gateway process
    /// (<c>dotnet-trace</c>, given by path) while wrk loads it, then the methods longest on the stack.
    /// </summary>
    private static async Task ProfileAsync(GatewayLab lab, string[] bearer, string dotnetTrace, int seconds, int connections)
    {
        var url = $"http://127.0.0.1:{lab.GatewayPort}/api/users/me";
        await Wrk.RunAsync(url, bearer, 2, connections);
        var output = Path.Combine(Path.GetTempPath(), $"gateway-{lab.GatewayPid}.nettrace");
        using var trace = Process.Start(new ProcessStartInfo(dotnetTrace,
            ["collect", "-p", lab.GatewayPid.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time,dotnet-common",
             "--duration", TimeSpan.FromSeconds(seconds + 1).ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture), "-o", output])
            { RedirectStandardOutput = true, RedirectStandardInput = true })!;
        await Task.Delay(1000);
        var load = await Wrk.RunAsync(url, bearer, seconds, connections);
        await trace.StandardOutput.ReadToEndAsync();
        await trace.WaitForExitAsync();
        Console.WriteLine($"gateway GET /api/users/me under trace: {load.RequestsPerSecond:F0} req/s; trace {output}");
        foreach (var inclusive in new[] { false, true })
        {
            using var report = Process.Start(new ProcessStartInfo(dotnetTrace,
                ["report", output, "topN", "-n", "30", .. inclusive ? new[] { "--inclusive" } : []]) { RedirectStandardOutput = true })!;
            Console.WriteLine(await report.StandardOutput.ReadToEndAsync());
            await report.WaitForExitAsync();
        }
    }

    private static async Task RedisRoundTripsAsync(GatewayLab lab, int requests)
    {
        Console.WriteLine($"Redis round trips: {requests} sequential GET /api/users/me (cache hit) through the gateway, counted by MONITOR");
        var idle = await lab.CountRedisCommandsAsync(() => Task.Delay(TimeSpan.FromSeconds(1)));
        var elapsed = Stopwatch.StartNew();
        var busy = await lab.CountRedisCommandsAsync(() => lab.GetMeSequentiallyAsync(requests));
        elapsed.Stop();
        var table = new Table("command", $"during {requests} requests", "idle (2 s)", "per request");
        foreach (var command in busy.Keys.Union(idle.Keys).Order())
        {
            var count = busy.GetValueOrDefault(command);
            table.Add(command, count, idle.GetValueOrDefault(command), (double)count / requests);
        }
        table.Add("total", busy.Values.Sum(), idle.Values.Sum(), (double)busy.Values.Sum() / requests);
        table.Print();
        Console.WriteLine($"({elapsed.Elapsed.TotalSeconds:F1} s including 1 s of monitor start and drain)");
        Console.WriteLine();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

public sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms);

public static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(string url, string[] headers, int seconds, int connections)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t1", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "5s" })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var header in headers)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(header);
        }
        start.ArgumentList.Add(url);
        using var wrk = Process.Start(start)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (output.Contains("Non-2xx", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{url} answered non-2xx responses:\n{output}");
        }
        return new WrkResult(
            double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Latency(output, "50%"), Latency(output, "99%"));
    }

    private static double Latency(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s+{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();
}
