using AppHost;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EndToEnd.Tests;

/// <summary>
/// Starts the real AppHost once per test collection — PostgreSQL and Redis as local processes in a
/// fresh data folder, every service — and waits until every resource is healthy.
/// </summary>
public class DistributedAppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private DirectoryInfo? _dataDirectory;

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The AppHost's state folder for this fixture (generated secrets, the PostgreSQL data folder).</summary>
    public DirectoryInfo DataDirectory => _dataDirectory ?? throw new InvalidOperationException("not started");

    /// <summary>
    /// A client for the gateway, the only public entry. It follows no redirects and retries nothing, and each of its
    /// requests comes from a different loopback address (see <see cref="GatewayClients"/>).
    /// </summary>
    public HttpClient Gateway { get; private set; } = null!;

    public Uri GatewayAddress => Gateway.BaseAddress!;

    /// <summary>
    /// AppHost settings for this fixture. The shared suite runs two replicas of the scaled-out services, so
    /// every test also proves that behaviour holds across replicas; a derived fixture may change them.
    /// </summary>
    protected virtual IEnumerable<string> Settings =>
    [
        "--Replicas:UserService=2", "--Replicas:RealtimeService=2", $"--Replicas:Gateway={GatewayReplicas}",
        $"--Gateway:Settings:CorsOrigins:0={AllowedCorsOrigin}",
        $"--Gateway:Settings:TrustedProxies:0={TrustedProxyAddress}",
    ];

    /// <summary>
    /// The request deadline every service and the gateway run with (<c>RequestDeadline</c>). The shared suite tests
    /// behaviour, not deadlines, on machines shared with other builds: a generous deadline keeps a slow but correct
    /// answer from becoming a 503. Fault tests use a fixture with the contract's <see cref="ContractDeadline"/>.
    /// </summary>
    protected virtual TimeSpan RequestDeadline => TimeSpan.FromSeconds(30);

    /// <summary>Contract §1's default deadline, what a deployment runs with.</summary>
    public static readonly TimeSpan ContractDeadline = TimeSpan.FromSeconds(5);

    /// <summary>The one address whose X-Forwarded-For the gateways believe (outside the range tests draw from).</summary>
    public const string TrustedProxyAddress = "127.1.1.1";

    /// <summary>Two gateway replicas, so that the suite proves what they share (rate limits, encryption sessions).</summary>
    public const int GatewayReplicas = 2;

    public const string AllowedCorsOrigin = "https://app.example.test";

    /// <summary>
    /// The gateway binds its ports itself (no DCP proxy, so it sees client addresses); a free block of ports is
    /// chosen per fixture so that parallel runs on one machine do not collide.
    /// </summary>
    public int GatewayPort { get; } = FreePortBlock(GatewayReplicas);

    /// <summary>A client for gateway replica <paramref name="index"/> (0-based) whose connections come from <paramref name="sourceAddress"/>.</summary>
    public HttpClient GatewayReplica(int index, System.Net.IPAddress? sourceAddress = null) =>
        GatewayClients.Create(new Uri($"http://127.0.0.1:{GatewayPort + index}"), sourceAddress);

    public virtual async Task InitializeAsync()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("distributed-e2e-");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Infrastructure:Mode=local",
                $"--Infrastructure:DataDirectory={_dataDirectory.FullName}",
                $"--Gateway:Port={GatewayPort}",
                $"--RequestDeadline={RequestDeadline:c}",
                .. Settings,
            ]);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(10));

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var resource in ResourceNames.All.Concat(Enumerable.Range(1, GatewayReplicas - 1).Select(ResourceNames.GatewayReplica)))
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        // Every request opens its own connection from a fresh 127.x address: suites then never share the gateway's
        // per-IP rate-limit budgets (auth: 5/min), while the rate-limit tests pick their addresses themselves.
        Gateway = GatewayClients.Create(App.GetEndpoint(ResourceNames.Gateway, "http"), GatewayClients.FreshAddressPerRequest);
    }

    public virtual async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        _dataDirectory?.Delete(recursive: true);
    }

    private static int FreePortBlock(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            // Below Linux's ephemeral range (32768–60999 by default): a port there can be taken, between this check and
            // the gateway's bind, by any outgoing connection or by DCP's proxies (a gateway replica then fails to start).
            var first = Random.Shared.Next(20_000, 32_000);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }
        throw new InvalidOperationException("No free block of ports for the gateway replicas.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public async Task<string> ConnectionStringAsync(string resource) =>
        await App.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string");
}

[CollectionDefinition(Name)]
public sealed class DistributedAppCollection : ICollectionFixture<DistributedAppFixture>
{
    public const string Name = "distributed app";
}
