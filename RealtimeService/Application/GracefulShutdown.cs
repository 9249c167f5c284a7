using Microsoft.Extensions.Options;
using RealtimeService.Domain;

namespace RealtimeService.Application;

/// <summary>
/// On stop, sends every client a 1001 close frame and waits (bounded) for the handshakes to finish,
/// before the web server stops and would drop the sockets: the host runs every
/// <see cref="IHostedLifecycleService.StoppingAsync"/> before any hosted service (Kestrel included) stops.
/// While it drains, new upgrades are refused with 503.
/// </summary>
public sealed class GracefulShutdown(ConnectionRegistry registry, IOptions<RealtimeOptions> options, ILogger<GracefulShutdown> logger)
    : IHostedLifecycleService
{
    public bool IsStopping { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        IsStopping = true;
        var connections = registry.All.ToList();
        logger.LogInformation("Shutting down: closing {Count} WebSocket connections with 1001", connections.Count);
        foreach (var connection in connections)
        {
            connection.RequestClose(CloseCodes.GoingAway, "server shutting down");
        }
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(options.Value.ShutdownDrainTimeout);
        try
        {
            while (registry.All.Count > 0)
            {
                await Task.Delay(50, drain.Token);
            }
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("{Count} WebSocket connections did not finish closing in time", registry.All.Count);
        }
    }
}
