using System.Diagnostics;
using System.Net;
using AppHost;

namespace EndToEnd.Tests;

/// <summary>
/// One more gateway process, started by a test with its own settings against the fixture's services (for the
/// switches the shared replicas keep at their defaults: mandatory encryption, an unreachable Redis).
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public HttpClient CreateClient(IPAddress? sourceAddress = null) =>
        GatewayClients.Create(new Uri($"http://127.0.0.1:{Port}"), sourceAddress ?? GatewayClients.FreshAddressPerRequest);

    public static async Task<GatewayProcess> StartAsync(DistributedAppFixture fixture, IDictionary<string, string> settings, string? redis = null)
    {
        var port = FreePort();
        var projectDirectory = Path.GetDirectoryName(new Projects.Gateway().ProjectPath)!;
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = projectDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(projectDirectory, "bin", configuration, "net10.0", "Gateway.dll"));
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__redis"] = redis ?? await fixture.ConnectionStringAsync(ResourceNames.Redis);
        foreach (var service in new[] { ResourceNames.IdentityService, ResourceNames.UserService, ResourceNames.RealtimeService })
        {
            start.Environment[$"services__{service}__http__0"] = fixture.App.GetEndpoint(service, "http").ToString();
        }
        start.Environment["Jwt__Issuer"] = $"http://localhost:{fixture.GatewayPort}";
        start.Environment["Jwt__Audience"] = "distributed-api";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var gateway = new GatewayProcess(process, port);

        using var probe = gateway.CreateClient();
        for (var attempt = 0; attempt < 120; attempt++)
        {
            try
            {
                if ((await probe.GetAsync("/alive")).IsSuccessStatusCode)
                {
                    return gateway;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(500);
        }
        await gateway.DisposeAsync();
        throw new InvalidOperationException("The extra gateway process did not start.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
