using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;

namespace Benchmarks;

/// <summary>
/// UserService figures (issue 4), side by side in one run: <c>GET /api/users/me</c> on a cache hit, on a cache
/// miss (the benchmark deletes <c>user:{id}</c> before each timed request) — each directly on a UserService
/// process and through the gateway — and, as the yardstick of the same process with nothing behind it, its
/// liveness probe <c>GET /alive</c> (direct only: the gateway does not route probes). Variants run interleaved, rotating the order.
///   dotnet run -c Release --project tests/Benchmarks -- users --gateway URL --users URL --identity URL --redis CONNSTR
///     [--clients 4] [--seconds 5] [--rounds 5]
/// Each client has its own account, so one client's miss is never turned into a hit by another's read.
/// </summary>
public sealed class UsersSuite : IBenchmarkSuite
{
    private const string Password = "correct horse battery staple";

    public string Name => "users";

    public string Description => "GET /api/users/me cache hit vs miss, direct and through the gateway, against the service's /alive";

    public async Task RunAsync(string[] args)
    {
        var gateway = new Uri(Required(args, "--gateway"));
        var direct = new Uri(Required(args, "--users"));
        var identity = new Uri(Required(args, "--identity"));
        var clients = int.Parse(Option(args, "--clients") ?? "4", CultureInfo.InvariantCulture);
        var seconds = double.Parse(Option(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        using var redis = await ConnectionMultiplexer.ConnectAsync(Required(args, "--redis"));

        var accounts = new List<(Guid Id, string Token)>();
        using (var identityClient = new HttpClient { BaseAddress = identity })
        {
            for (var i = 0; i < clients; i++)
            {
                accounts.Add(await RegisterAsync(identityClient));
            }
        }

        var variants = new List<(string Name, Func<Task<Result>> Run)>();
        foreach (var (where, baseAddress) in new[] { ("direct", direct), ("gateway", gateway) })
        {
            variants.Add(($"{where}: GET /api/users/me, cache hit", () => LoadAsync(baseAddress, accounts, seconds, "/api/users/me", null)));
            variants.Add(($"{where}: GET /api/users/me, cache miss", () => LoadAsync(baseAddress, accounts, seconds, "/api/users/me",
                id => redis.GetDatabase().KeyDeleteAsync($"user:{id}"))));
        }
        variants.Add(("direct: GET /alive (yardstick)", () => LoadAsync(direct, accounts, seconds, "/alive", null)));

        // Warm-up: JIT, connection pools, JWKS fetch, cache entries.
        foreach (var variant in variants)
        {
            await LoadAsync(variant.Name.StartsWith("direct") ? direct : gateway, accounts, 1, "/api/users/me", null);
        }

        var results = await Measure.InterleavedAsync(rounds, variants);
        Console.WriteLine($"{clients} closed-loop clients, {seconds} s per variant per round, {rounds} rounds (median over rounds; min-max req/s)");
        var table = new Table("variant", "req/s", "min req/s", "max req/s", "p50 ms", "p99 ms", "non-200");
        foreach (var (name, perRound) in results)
        {
            var rates = perRound.Select(r => r.RequestsPerSecond).Order().ToList();
            table.Add(name, rates[rates.Count / 2], rates[0], rates[^1],
                perRound.Select(r => r.P50).Order().ElementAt(perRound.Count / 2),
                perRound.Select(r => r.P99).Order().ElementAt(perRound.Count / 2),
                perRound.Sum(r => r.Failures));
        }
        table.Print();
    }

    private sealed record Result(double RequestsPerSecond, double P50, double P99, int Failures);

    /// <summary>Each client sends one request after another for the given time; only the GET is timed.</summary>
    private static async Task<Result> LoadAsync(
        Uri baseAddress, IReadOnlyList<(Guid Id, string Token)> accounts, double seconds, string path, Func<Guid, Task>? beforeEach)
    {
        var samples = new Samples();
        var failures = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var timedTotal = 0.0;
        var workers = accounts.Select(async account =>
        {
            using var http = new HttpClient { BaseAddress = baseAddress };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", account.Token);
            var mine = new List<double>();
            var bad = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                if (beforeEach is not null)
                {
                    await beforeEach(account.Id);
                }
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    bad++;
                }
            }
            lock (samples)
            {
                samples.AddRange(mine);
                failures += bad;
                timedTotal += mine.Sum();
            }
        });
        await Task.WhenAll(workers);
        // Requests per second of timed time per client, so the untimed DEL of the miss variant does not count.
        var perClientSeconds = timedTotal / 1000 / accounts.Count;
        return new Result(samples.Count / perClientSeconds, samples.Percentile(50), samples.Percentile(99), failures);
    }

    private static async Task<(Guid, string)> RegisterAsync(HttpClient identity)
    {
        var email = $"bench-{Guid.NewGuid():N}@example.com";
        var registered = await identity.PostAsJsonAsync("/api/auth/register", new { email, password = Password, displayName = "Bench User" });
        if (registered.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"register answered {(int)registered.StatusCode}");
        }
        var login = await identity.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("userId").GetGuid(), body.GetProperty("accessToken").GetString()!);
    }

    private static string Required(string[] args, string name) =>
        Option(args, name) ?? throw new ArgumentException($"{name} is required (see the suite's usage in BENCHMARKS.md)");

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
