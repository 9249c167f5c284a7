using Microsoft.Extensions.Options;
using RealtimeService.Domain;

namespace RealtimeService.Application;

/// <summary>
/// One timer for every connection on the replica (cheaper than one per socket): sends <c>ping</c> every
/// <see cref="RealtimeOptions.PingInterval"/>, closes with 4408 a connection silent for
/// <see cref="RealtimeOptions.IdleTimeout"/>, and with 4401 one whose access token has expired.
/// </summary>
public sealed class KeepAliveMonitor(ConnectionRegistry registry, IOptions<RealtimeOptions> options, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var shortest = TimeSpan.FromTicks(Math.Min(settings.PingInterval.Ticks, settings.IdleTimeout.Ticks));
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 50, 1000));
        using var timer = new PeriodicTimer(tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = time.GetUtcNow();
            foreach (var connection in registry.All)
            {
                if (!connection.IsAuthenticated || connection.IsClosing)
                {
                    continue;
                }
                if (connection.MillisecondsSinceLastReceive >= settings.IdleTimeout.TotalMilliseconds)
                {
                    connection.RequestClose(CloseCodes.IdleTimeout, "no message from the client in time");
                }
                else if (connection.TokenExpiresAt < now - JwtSettings.MaxClockSkew)
                {
                    connection.RequestClose(CloseCodes.Unauthorized, "access token expired");
                }
                else if (connection.MillisecondsSinceLastPing >= settings.PingInterval.TotalMilliseconds)
                {
                    connection.MarkPingSent();
                    connection.TryEnqueue(ServerMessages.Ping);
                }
            }
        }
    }
}
