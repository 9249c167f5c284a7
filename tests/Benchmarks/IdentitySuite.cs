using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Isopoh.Cryptography.Argon2;
using Konscious.Security.Cryptography;

namespace Benchmarks;

/// <summary>
/// Identity service figures (issue 3):
///   1. Argon2id at the contract defaults (m=64 MiB, t=3, p=4): the NuGet candidates against the reference C
///      implementation (the `argon2` command's own timing, and the whole command with process start);
///   2. login throughput and p50/p99 latency at 1, 4 and 20 concurrent clients;
///   3. median login time for an unknown email against a wrong password (they must match).
/// Parts 2-3 need a running identity service (its own port, so no gateway rate limit interferes):
///   dotnet run -c Release --project tests/Benchmarks -- identity --url http://127.0.0.1:PORT [--rounds 7] [--seconds 10]
/// Without --url only part 1 runs.
/// </summary>
public sealed partial class IdentitySuite : IBenchmarkSuite
{
    private const string Password = "correct horse battery staple";

    public string Name => "identity";

    public string Description => "Argon2id candidates vs the argon2 command; login throughput/latency; unknown-email vs wrong-password time";

    public async Task RunAsync(string[] args)
    {
        var rounds = int.Parse(Option(args, "--rounds") ?? "7", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Option(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        await HashCandidatesAsync(rounds);
        if (Option(args, "--url") is { } url)
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(1) };
            var email = $"bench-{Guid.NewGuid():N}@example.com";
            var register = await PostAsync(http, "/api/auth/register", new { email, password = Password, displayName = "Bench" });
            if (register.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"register answered {(int)register.StatusCode}");
            }
            await LoginThroughputAsync(http, email, seconds);
            await EnumerationTimingAsync(http, email, rounds * 3);
        }
    }

    private static async Task HashCandidatesAsync(int rounds)
    {
        var password = Encoding.UTF8.GetBytes(Password);
        var salt = "somesaltsomesalt"u8.ToArray();
        var expected = ReferenceHash(out _);
        var variants = new List<(string Name, Func<Task<double>> Run)>
        {
            ("Konscious.Security.Cryptography.Argon2 1.3.1", () => Task.FromResult(Time(() => Konscious(password, salt)))),
            ("Isopoh.Cryptography.Argon2 2.0.0", () => Task.FromResult(Time(() => Isopoh(password, salt)))),
            ("argon2 command (its own timing)", () => { ReferenceHash(out var ms); return Task.FromResult(ms); }),
            ("argon2 command (whole process)", () => Task.FromResult(Time(() => ReferenceHash(out _)))),
        };
        // Correctness first: every candidate must produce the reference bytes.
        Check("Konscious", Konscious(password, salt), expected);
        Check("Isopoh", Isopoh(password, salt), expected);

        var results = await Measure.InterleavedAsync(rounds, variants);
        var table = new Table("Argon2id m=65536 t=3 p=4, 32-byte hash", "median ms", "min ms", "max ms", "rounds");
        foreach (var (name, samples) in results)
        {
            table.Add(name, Median(samples), samples.Min(), samples.Max(), samples.Count);
        }
        table.Print();
        Console.WriteLine();
    }

    private static async Task LoginThroughputAsync(HttpClient http, string email, int seconds)
    {
        var table = new Table("concurrent clients", "logins/s", "p50 ms", "p99 ms", "200", "503", "other");
        foreach (var clients in new[] { 1, 4, 20 })
        {
            var samples = new Samples();
            var counts = new int[3];
            var until = Stopwatch.GetTimestamp() + (long)(seconds * (double)Stopwatch.Frequency);
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
            {
                while (Stopwatch.GetTimestamp() < until)
                {
                    var begin = Stopwatch.GetTimestamp();
                    using var response = await PostAsync(http, "/api/auth/login", new { email, password = Password });
                    var elapsed = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                    var slot = response.StatusCode switch { HttpStatusCode.OK => 0, HttpStatusCode.ServiceUnavailable => 1, _ => 2 };
                    lock (samples)
                    {
                        counts[slot]++;
                        if (slot == 0)
                        {
                            samples.Add(elapsed);
                        }
                    }
                    if (slot == 1)
                    {
                        // A client honouring Retry-After would wait; a short pause keeps the loop from spinning.
                        await Task.Delay(50);
                    }
                }
            }));
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            table.Add(clients, counts[0] / wall, samples.Median, samples.Percentile(99), counts[0], counts[1], counts[2]);
        }
        table.Print();
        Console.WriteLine();
    }

    private static async Task EnumerationTimingAsync(HttpClient http, string email, int rounds)
    {
        var unknown = $"nobody-{Guid.NewGuid():N}@example.com";
        var results = await Measure.InterleavedAsync(rounds, new List<(string, Func<Task<double>>)>
        {
            ("wrong password", () => TimedLoginAsync(http, email, "not the password at all")),
            ("unknown email", () => TimedLoginAsync(http, unknown, "not the password at all")),
        });
        var table = new Table("failed login (one client, sequential)", "median ms", "min ms", "max ms", "rounds");
        foreach (var (name, samples) in results)
        {
            table.Add(name, Median(samples), samples.Min(), samples.Max(), samples.Count);
        }
        table.Print();
        var ratio = Median(results["unknown email"]) / Median(results["wrong password"]);
        Console.WriteLine($"unknown/wrong median ratio: {ratio.ToString("0.000", CultureInfo.InvariantCulture)}");
    }

    private static async Task<double> TimedLoginAsync(HttpClient http, string email, string password)
    {
        var begin = Stopwatch.GetTimestamp();
        using var response = await PostAsync(http, "/api/auth/login", new { email, password });
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            throw new InvalidOperationException($"expected 401, got {(int)response.StatusCode}");
        }
        return Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
    }

    private static byte[] Konscious(byte[] password, byte[] salt)
    {
        using var argon2 = new Argon2id(password) { Salt = salt, MemorySize = 65536, Iterations = 3, DegreeOfParallelism = 4 };
        return argon2.GetBytes(32);
    }

    private static byte[] Isopoh(byte[] password, byte[] salt)
    {
        var config = new Argon2Config
        {
            Type = Argon2Type.HybridAddressing, Version = Argon2Version.Nineteen, TimeCost = 3, MemoryCost = 65536,
            Lanes = 4, Threads = 4, Password = password, Salt = salt, HashLength = 32,
        };
        using var argon2 = new Isopoh.Cryptography.Argon2.Argon2(config);
        using var hash = argon2.Hash();
        return hash.Buffer.ToArray();
    }

    /// <summary>The reference implementation; returns the raw hash and the time it reports for hashing alone.</summary>
    private static byte[] ReferenceHash(out double reportedMs)
    {
        using var process = Process.Start(new ProcessStartInfo("argon2", ["somesaltsomesalt", "-id", "-t", "3", "-m", "16", "-p", "4", "-l", "32"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        process.StandardInput.Write(Password);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        reportedMs = double.Parse(SecondsLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture) * 1000;
        return Convert.FromHexString(HashLine().Match(output).Groups[1].Value);
    }

    private static void Check(string name, byte[] actual, byte[] expected)
    {
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException($"{name} disagrees with the reference argon2 output");
        }
    }

    private static double Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, object body) =>
        http.PostAsync(path, JsonContent.Create(body));

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    [GeneratedRegex(@"([0-9.]+) seconds")]
    private static partial Regex SecondsLine();

    [GeneratedRegex(@"Hash:\s+([0-9a-f]+)")]
    private static partial Regex HashLine();
}
