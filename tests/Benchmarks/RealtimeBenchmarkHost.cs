using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Diagnostics.NETCore.Client;

namespace Benchmarks;

/// <summary>
/// What the realtime benchmark runs against, all on loopback: a private redis-server, a JWK set served
/// from a key generated for this run (so that 10 000 users need no Argon2 registration; tokens are minted
/// here with that key), and the RealtimeService process itself, started standalone with
/// <c>Jwt__JwksUrl</c> pointing at that JWK set. Everything is stopped by its own PID on dispose.
/// </summary>
public sealed class RealtimeBenchmarkHost : IAsyncDisposable
{
    public const string Issuer = "http://localhost:8080";
    public const string Audience = "distributed-api";
    private const string KeyId = "benchmark-key";

    private readonly ECDsa _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly HttpListener _jwks = new();
    private Process? _redis;
    private Process? _service;

    public int ServicePort { get; private set; }

    public int ServicePid => _service?.Id ?? 0;

    public Uri WebSocketUri => new($"ws://127.0.0.1:{ServicePort}/ws");

    public Uri NotifyUri => new($"http://127.0.0.1:{ServicePort}/internal/notify");

    /// <param name="environment">Extra variables for the service (GC knobs tried side by side: <c>--env DOTNET_GCgen0size=…</c>).</param>
    public static async Task<RealtimeBenchmarkHost> StartAsync(string serviceDll, bool? serverGc, IReadOnlyDictionary<string, string>? environment = null)
    {
        var host = new RealtimeBenchmarkHost();
        var redisPort = FreePort();
        host._redis = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        { RedirectStandardOutput = true })!;

        var jwksPort = FreePort();
        host._jwks.Prefixes.Add($"http://127.0.0.1:{jwksPort}/");
        host._jwks.Start();
        _ = host.ServeJwksAsync();

        host.ServicePort = FreePort();
        var start = new ProcessStartInfo("dotnet", [serviceDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{host.ServicePort}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__redis"] = $"127.0.0.1:{redisPort}";
        start.Environment["Jwt__Issuer"] = Issuer;
        start.Environment["Jwt__Audience"] = Audience;
        start.Environment["Jwt__JwksUrl"] = $"http://127.0.0.1:{jwksPort}/jwks.json";
        start.Environment["Realtime__PingInterval"] = "01:00:00";
        start.Environment["Realtime__IdleTimeout"] = "02:00:00";
        start.Environment["Realtime__SendQueueCapacity"] = "256";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (serverGc is { } server)
        {
            start.Environment["DOTNET_gcServer"] = server ? "1" : "0";
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        host._service = Process.Start(start)!;
        _ = DrainAsync(host._service.StandardOutput);
        _ = DrainAsync(host._service.StandardError);
        try
        {
            await host.WaitUntilHealthyAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>A signed ES256 access token of type at+jwt, shaped like the identity service's.</summary>
    public string MintToken(Guid userId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", typ = "at+jwt", kid = KeyId }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = Issuer, aud = Audience, sub = userId.ToString(), sid = Guid.NewGuid().ToString(),
            jti = Guid.NewGuid().ToString(), iat = now, nbf = now, exp = now + 3600,
        }));
        var signature = _signingKey.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    /// <summary>The service's resident memory (VmRSS) in bytes.</summary>
    public long ServiceRssBytes()
    {
        var line = File.ReadLines($"/proc/{ServicePid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>
    /// Induces a full blocking GC in the service the way dotnet-gcdump does (an EventPipe session with the
    /// runtime's GCHeapCollect keyword), waits for it to finish, then reads VmRSS: garbage that merely has
    /// not been collected yet must not count as memory held per connection.
    /// </summary>
    public async Task<long> RssAfterFullGcAsync()
    {
        const long GcKeyword = 0x1, GcHeapCollectKeyword = 0x800000;
        var client = new DiagnosticsClient(ServicePid);
        using (var session = client.StartEventPipeSession(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword)],
            requestRundown: false))
        {
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            await Task.Delay(TimeSpan.FromSeconds(1));
            await session.StopAsync(CancellationToken.None);
            await drain;
        }
        // The GC and the decommit after it take longer on a loaded machine: wait until RSS holds still
        // (three reads 500 ms apart within 0.5 %), at most 15 s.
        var readings = new List<long> { ServiceRssBytes() };
        for (var i = 0; i < 30; i++)
        {
            await Task.Delay(500);
            readings.Add(ServiceRssBytes());
            var last = readings.TakeLast(3).ToArray();
            if (last.Length == 3 && last.Max() - last.Min() <= last.Max() / 200)
            {
                break;
            }
        }
        return readings[^1];
    }

    private async Task ServeJwksAsync()
    {
        var parameters = _signingKey.ExportParameters(false);
        var jwks = JsonSerializer.SerializeToUtf8Bytes(new
        {
            keys = new[] { new { kty = "EC", crv = "P-256", use = "sig", alg = "ES256", kid = KeyId,
                x = Base64Url(parameters.Q.X!), y = Base64Url(parameters.Q.Y!) } },
        });
        while (_jwks.IsListening)
        {
            HttpListenerContext context;
            try { context = await _jwks.GetContextAsync(); }
            catch (Exception) { return; }
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(jwks);
            context.Response.Close();
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{ServicePort}/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new InvalidOperationException("RealtimeService did not become healthy within 30 s");
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Contains("fail", StringComparison.OrdinalIgnoreCase) || line.Contains("crit", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"  [service] {line}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _service, _redis })
        {
            if (process is { HasExited: false })
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            process?.Dispose();
        }
        _jwks.Close();
        _signingKey.Dispose();
    }
}
