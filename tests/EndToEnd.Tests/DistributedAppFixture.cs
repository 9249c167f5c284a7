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

    /// <summary>A client for the gateway, the only public entry. It follows no redirects and retries nothing.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    public Uri GatewayAddress => Gateway.BaseAddress!;

    /// <summary>
    /// AppHost settings for this fixture. The shared suite runs two replicas of the scaled-out services, so
    /// every test also proves that behaviour holds across replicas; a derived fixture may change them.
    /// </summary>
    protected virtual IEnumerable<string> Settings => ["--Replicas:UserService=2", "--Replicas:RealtimeService=2"];

    public async Task InitializeAsync()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("distributed-e2e-");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Infrastructure:Mode=local",
                $"--Infrastructure:DataDirectory={_dataDirectory.FullName}",
                .. Settings,
            ]);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(10));

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var resource in ResourceNames.All)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        Gateway = App.CreateHttpClient(ResourceNames.Gateway, "http");
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        _dataDirectory?.Delete(recursive: true);
    }

    public async Task<string> ConnectionStringAsync(string resource) =>
        await App.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string");
}

[CollectionDefinition(Name)]
public sealed class DistributedAppCollection : ICollectionFixture<DistributedAppFixture>
{
    public const string Name = "distributed app";
}
