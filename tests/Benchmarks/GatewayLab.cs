using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Benchmarks;

/// <summary>
/// The processes the gateway suite measures, all on 127.0.0.1 and stopped by their own PIDs: a private Redis, one
/// nginx (backend server with static bodies and the JWK set, a proxy_pass server to it, and a proxy_pass server to
/// the UserService), a private PostgreSQL, the Release UserService (its real <c>GET /api/users/me</c>, the token's
/// profile provisioned through its internal endpoint) and the Release gateway with its shipped routes plus two
/// bench routes to the static backend. Tokens are minted for the run and checked against the lab's JWK set, so no
/// identity service is needed.
/// </summary>
public sealed partial class GatewayLab : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private IReadOnlyDictionary<string, string> _gatewayOverrides = new Dictionary<string, string>();
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-bench-").FullName;
    private readonly HttpClient _http = new();
    private readonly StringBuilder _errors = new();
    private ECDsa _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public int BackendPort { get; } = FreePort();
    public int NginxProxyPort { get; } = FreePort();
    public int GatewayPort { get; } = FreePort();
    public int RedisPort { get; } = FreePort();
    public int PostgresPort { get; } = FreePort();
    public int UsersPort { get; } = FreePort();
    public int NginxUsersPort { get; } = FreePort();
    public string AccessToken { get; private set; } = "";
    public Guid UserId { get; } = Guid.NewGuid();
    public int GatewayPid { get; private set; }
    public int UsersPid { get; private set; }

    /// <param name="gatewayOverrides">Extra environment for the gateway (<c>--gateway-env KEY=VALUE</c>), to see what a setting costs.</param>
    public static async Task<GatewayLab> StartAsync(IReadOnlyDictionary<string, string>? gatewayOverrides = null)
    {
        var lab = new GatewayLab { _gatewayOverrides = gatewayOverrides ?? new Dictionary<string, string>() };
        try
        {
            await lab.StartAllAsync();
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync()
    {
        var gatewayDll = ReleaseDll("Gateway");
        var usersDll = ReleaseDll("UserService");

        // nginx workers run as an unprivileged user: they must be able to read the bodies.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
        }
        var www = Directory.CreateDirectory(Path.Combine(_directory, "www")).FullName;
        await File.WriteAllTextAsync(Path.Combine(www, "1k.json"), Body(1024));
        await File.WriteAllTextAsync(Path.Combine(www, "64k.json"), Body(64 * 1024));
        await File.WriteAllTextAsync(Path.Combine(www, "jwks.json"), Jwks());
        AccessToken = MintToken();

        Start("redis-server", "--port", RedisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
        await File.WriteAllTextAsync(Path.Combine(_directory, "nginx.conf"), NginxConfig(www));
        Directory.CreateDirectory(Path.Combine(_directory, "logs"));
        Start("nginx", "-p", _directory, "-c", Path.Combine(_directory, "nginx.conf"), "-e", Path.Combine(_directory, "logs", "error.log"));
        await StartPostgresAsync();

        var users = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(usersDll)! };
        users.ArgumentList.Add(usersDll);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{UsersPort}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__redis"] = $"127.0.0.1:{RedisPort}",
            ["ConnectionStrings__usersdb"] = $"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Database=usersdb",
            ["Jwt__Issuer"] = "http://bench.example",
            ["Jwt__Audience"] = "distributed-api",
            ["Jwt__JwksUrl"] = $"http://127.0.0.1:{BackendPort}/jwks.json",
        })
        {
            users.Environment[key] = value;
        }
        UsersPid = Start(users);
        await WaitForAsync($"http://127.0.0.1:{UsersPort}/alive");
        var provisioned = await _http.PostAsJsonAsync($"http://127.0.0.1:{UsersPort}/internal/users",
            new { userId = UserId, email = $"{UserId:N}@bench.example", displayName = "Bench User", createdAt = DateTimeOffset.UtcNow });
        provisioned.EnsureSuccessStatusCode();

        var gateway = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(gatewayDll)! };
        gateway.ArgumentList.Add(gatewayDll);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{GatewayPort}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__redis"] = $"127.0.0.1:{RedisPort}",
            ["Jwt__Issuer"] = "http://bench.example",
            ["Jwt__Audience"] = "distributed-api",
            ["Jwt__JwksUrl"] = $"http://127.0.0.1:{BackendPort}/jwks.json",
            ["Gateway__RateLimits__api__PermitLimit"] = "1000000000",
            ["Gateway__Encryption__MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["ReverseProxy__Routes__bench-plain__ClusterId"] = "bench",
            ["ReverseProxy__Routes__bench-plain__Match__Path"] = "/plain/{**rest}",
            ["ReverseProxy__Routes__bench-edge__ClusterId"] = "bench",
            ["ReverseProxy__Routes__bench-edge__Match__Path"] = "/edge/{**rest}",
            ["ReverseProxy__Routes__bench-edge__AuthorizationPolicy"] = "default",
            ["ReverseProxy__Routes__bench-edge__RateLimiterPolicy"] = "api",
            ["ReverseProxy__Clusters__bench__Destinations__backend__Address"] = $"http://127.0.0.1:{BackendPort}/",
            ["services__userservice__http__0"] = $"http://127.0.0.1:{UsersPort}",
            // Not part of the lab: routes to them are not measured.
            ["services__identityservice__http__0"] = $"http://127.0.0.1:{BackendPort}",
            ["services__realtimeservice__http__0"] = $"http://127.0.0.1:{BackendPort}",
        };
        foreach (var (key, value) in environment.Concat(_gatewayOverrides))
        {
            gateway.Environment[key] = value;
        }
        GatewayPid = Start(gateway);

        foreach (var url in new[] { $"http://127.0.0.1:{BackendPort}/plain/1k.json", $"http://127.0.0.1:{NginxProxyPort}/plain/1k.json", $"http://127.0.0.1:{GatewayPort}/alive", $"http://127.0.0.1:{NginxUsersPort}/alive" })
        {
            await WaitForAsync(url);
        }
    }

    public async Task<string> StartSessionAsync()
    {
        var response = await _http.PostAsJsonAsync($"http://127.0.0.1:{GatewayPort}/api/session", new { publicKey = ClientPoint() });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetString()!;
    }

    /// <summary>
    /// CPU time (user + system, ms) used so far by each lab process: the gateway, the UserService, nginx (master and
    /// workers), Redis and PostgreSQL (all its processes), read from <c>/proc</c>.
    /// </summary>
    public Dictionary<string, double> CpuMilliseconds()
    {
        var named = new Dictionary<int, string>();
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            var name = process.Id == GatewayPid ? "gateway" : process.Id == UsersPid ? "users" : process.StartInfo.FileName switch
            {
                "nginx" => "nginx", "redis-server" => "redis", "setpriv" => "postgres", _ => null,
            };
            if (name is not null)
            {
                named[process.Id] = name;
            }
        }
        var totals = new Dictionary<string, double>();
        var tick = 1000.0 / 100; // USER_HZ
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            // Fields after the command name "(...)": state ppid ... utime(14) stime(15), counted from pid = 1.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            var owner = named.TryGetValue(pid, out var self) ? self : named.TryGetValue(parent, out var byParent) ? byParent : null;
            if (owner is not null)
            {
                totals[owner] = totals.GetValueOrDefault(owner)
                    + (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                       + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) * tick;
            }
        }
        return totals;
    }

    /// <summary>Sequential <c>GET /api/users/me</c> through the gateway on one keep-alive connection; each must be 200.</summary>
    public async Task GetMeSequentiallyAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{GatewayPort}/api/users/me");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AccessToken);
            using var response = await _http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Commands clients sent to the lab's Redis while <paramref name="work"/> ran, by name, read from <c>MONITOR</c>
    /// (<c>redis-cli monitor</c>). Commands a Lua script runs inside Redis (<c>[0 lua]</c>) are not round trips and
    /// are left out.
    /// </summary>
    public async Task<Dictionary<string, int>> CountRedisCommandsAsync(Func<Task> work)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-p", RedisPort.ToString(), "monitor" })
        {
            start.ArgumentList.Add(arg);
        }
        using var monitor = Process.Start(start)!;
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await monitor.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
        await Task.Delay(500); // MONITOR is on before the work starts
        await work();
        await Task.Delay(500); // commands still in flight
        monitor.Kill();
        await monitor.WaitForExitAsync();
        await reading;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var match = MonitorLine().Match(line);
            if (match.Success && match.Groups[1].Value != "lua")
            {
                var command = match.Groups[2].Value.ToUpperInvariant();
                counts[command] = counts.GetValueOrDefault(command) + 1;
            }
        }
        return counts;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d+\.\d+ \[\d+ ([^\]]+)\] ""([^""]+)""")]
    private static partial System.Text.RegularExpressions.Regex MonitorLine();

    /// <summary>Sequential handshakes interleaved with plain proxied GETs, one client connection.</summary>
    public async Task<Dictionary<string, Samples>> TimeHandshakesAsync(int count)
    {
        var point = ClientPoint();
        var results = new Dictionary<string, Samples> { ["POST /api/session"] = new(), ["GET /plain/1k.json (gateway)"] = new() };
        for (var i = 0; i < count; i++)
        {
            results["POST /api/session"].Add(await Measure.TimeAsync(async () =>
                (await _http.PostAsJsonAsync($"http://127.0.0.1:{GatewayPort}/api/session", new { publicKey = point })).EnsureSuccessStatusCode()));
            results["GET /plain/1k.json (gateway)"].Add(await Measure.TimeAsync(async () =>
                (await _http.GetAsync($"http://127.0.0.1:{GatewayPort}/plain/1k.json")).EnsureSuccessStatusCode()));
        }
        return results;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        _http.Dispose();
        _signingKey.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string NginxConfig(string www) => $$"""
        daemon off;
        master_process on;
        worker_processes auto;
        pid {{_directory}}/nginx.pid;
        events { worker_connections 1024; }
        http {
            access_log off;
            client_body_temp_path {{_directory}}/tmp;
            proxy_temp_path {{_directory}}/tmp;
            fastcgi_temp_path {{_directory}}/tmp;
            uwsgi_temp_path {{_directory}}/tmp;
            scgi_temp_path {{_directory}}/tmp;
            types { application/json json; }
            upstream backend { server 127.0.0.1:{{BackendPort}}; keepalive 64; }
            upstream users { server 127.0.0.1:{{UsersPort}}; keepalive 64; }
            server {
                listen 127.0.0.1:{{BackendPort}};
                location = /jwks.json { root {{www}}; }
                location ~ /(1k|64k)\.json$ { root {{www}}; try_files /$1.json =404; }
            }
            server {
                listen 127.0.0.1:{{NginxProxyPort}};
                location / {
                    proxy_pass http://backend;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header X-Forwarded-For $remote_addr;
                }
            }
            server {
                listen 127.0.0.1:{{NginxUsersPort}};
                location / {
                    proxy_pass http://users;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header X-Forwarded-For $remote_addr;
                }
            }
        }
        """;

    private string Jwks()
    {
        var q = _signingKey.ExportParameters(false).Q;
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = "bench", ["use"] = "sig", ["alg"] = "ES256",
                ["x"] = B64(q.X!), ["y"] = B64(q.Y!),
            }),
        }.ToJsonString();
    }

    /// <summary>An ES256 access token as the identity service issues them, valid for the whole run.</summary>
    private string MintToken()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = B64(Encoding.UTF8.GetBytes("""{"alg":"ES256","typ":"at+jwt","kid":"bench"}"""));
        var payload = B64(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["iss"] = "http://bench.example", ["aud"] = "distributed-api", ["sub"] = UserId.ToString(),
            ["sid"] = Guid.NewGuid().ToString(), ["jti"] = Guid.NewGuid().ToString(), ["iat"] = now, ["exp"] = now + 3600,
        }.ToJsonString()));
        var signature = _signingKey.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256);
        return $"{header}.{payload}.{B64(signature)}";
    }

    /// <summary>
    /// A private PostgreSQL 15 (trust authentication on 127.0.0.1 only, data in the lab folder); as root, run as the
    /// <c>postgres</c> user, which PostgreSQL requires. The UserService's migrations create the database.
    /// </summary>
    private async Task StartPostgresAsync()
    {
        const string bin = "/usr/lib/postgresql/15/bin";
        var data = Directory.CreateDirectory(Path.Combine(_directory, "pg")).FullName;
        string[] asPostgres = Environment.UserName == "root" ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : [];
        if (asPostgres.Length > 0)
        {
            using var chown = Process.Start("chown", ["postgres:postgres", data])!;
            await chown.WaitForExitAsync();
        }
        var initdb = new ProcessStartInfo(asPostgres.Length > 0 ? asPostgres[0] : $"{bin}/initdb") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in asPostgres.Skip(1).Concat(asPostgres.Length > 0 ? [$"{bin}/initdb"] : []).Concat(
            ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"]))
        {
            initdb.ArgumentList.Add(arg);
        }
        using (var init = Process.Start(initdb)!)
        {
            var errors = init.StandardError.ReadToEndAsync();
            await init.StandardOutput.ReadToEndAsync();
            await init.WaitForExitAsync();
            if (init.ExitCode != 0)
            {
                throw new InvalidOperationException($"initdb failed: {await errors}");
            }
        }
        string[] server = [$"{bin}/postgres", "-D", data, "-p", PostgresPort.ToString(), "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=", "-c", "fsync=off"];
        if (asPostgres.Length > 0)
        {
            Start(asPostgres[0], [.. asPostgres.Skip(1), .. server]);
        }
        else
        {
            Start(server[0], server[1..]);
        }
        // The AppHost creates the services' databases; here createdb does, once the server takes connections.
        for (var attempt = 0; attempt < 120; attempt++)
        {
            using var createdb = Process.Start(new ProcessStartInfo($"{bin}/createdb",
                ["-h", "127.0.0.1", "-p", PostgresPort.ToString(), "-U", "postgres", "usersdb"]) { RedirectStandardError = true })!;
            await createdb.StandardError.ReadToEndAsync();
            await createdb.WaitForExitAsync();
            if (createdb.ExitCode == 0)
            {
                return;
            }
            await Task.Delay(250);
        }
        throw new InvalidOperationException($"PostgreSQL did not come up:\n{_errors}");
    }

    private static string ReleaseDll(string project)
    {
        var dll = Path.GetFullPath(Path.Combine(RepositoryRoot(), project, "bin", "Release", "net10.0", $"{project}.dll"));
        return File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"Build it first: dotnet build -c Release {project}/{project}.csproj ({dll} missing)");
    }

    private static string ClientPoint()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return B64([0x04, .. q.X!, .. q.Y!]);
    }

    private static string Body(int size)
    {
        var filler = new string('x', size - 16);
        return $"{{\"data\":\"{filler}\"}}".PadRight(size);
    }

    private void Start(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Start(start);
    }

    private int Start(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
            {
                lock (_errors)
                {
                    _errors.AppendLine($"{Path.GetFileName(start.FileName)}: {text}");
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process.Id;
    }

    private async Task WaitForAsync(string url)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            try
            {
                if ((await _http.GetAsync(url)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        throw new InvalidOperationException($"{url} did not come up:\n{_errors}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Distributed.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
