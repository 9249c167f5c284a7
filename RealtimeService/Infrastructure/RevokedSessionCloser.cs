using RealtimeService.Application;
using RealtimeService.Domain;

namespace RealtimeService.Infrastructure;

/// <summary>
/// Closes with 4401 every socket on this replica whose login session is revoked (contract §2/§4). Revocations
/// arrive through ServiceDefaults' <see cref="ISessionRevocationList"/> (Redis push, reloaded on reconnect), so
/// each replica closes its own sockets within the push delay. A sweep every <see cref="SweepInterval"/> also
/// catches a socket that was authenticated just before the revocation and registered just after the push.
/// </summary>
public sealed partial class RevokedSessionCloser(
    ISessionRevocationList revocations, ConnectionRegistry registry, ILogger<RevokedSessionCloser> logger) : BackgroundService
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        revocations.SessionRevoked += CloseSession;
        try
        {
            using var timer = new PeriodicTimer(SweepInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var connection in registry.All)
                {
                    if (connection.SessionId is { } sessionId && !connection.IsClosing && revocations.IsRevoked(sessionId))
                    {
                        Close(connection);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        finally
        {
            revocations.SessionRevoked -= CloseSession;
        }
    }

    private void CloseSession(string sessionId)
    {
        foreach (var connection in registry.All)
        {
            if (connection.SessionId == sessionId && !connection.IsClosing)
            {
                Close(connection);
            }
        }
    }

    private void Close(RealtimeConnection connection)
    {
        LogClosing(logger, connection.Id, connection.UserId);
        connection.RequestClose(CloseCodes.Unauthorized, "session revoked");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closing connection {ConnectionId} of user {UserId}: its login session was revoked")]
    private static partial void LogClosing(ILogger logger, Guid connectionId, Guid userId);
}

public static class RevokedSessionClosingExtensions
{
    public static IServiceCollection AddRevokedSessionClosing(this IServiceCollection services) =>
        services.AddHostedService<RevokedSessionCloser>();
}
