using Microsoft.Extensions.Options;

namespace IdentityService.Infrastructure;

/// <summary>Retries undelivered outbox messages in the background until the receiver takes them or refuses them for good.</summary>
public sealed partial class OutboxDispatcher(IServiceScopeFactory scopes, IOptions<OutboxOptions> options, ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var delivery = scope.ServiceProvider.GetRequiredService<OutboxDelivery>();
                await delivery.DeliverAsync(null, stoppingToken);
                await delivery.RefreshStatusAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be briefly away; the next tick tries again.
                LogDispatchFailed(logger, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch round failed ({Reason})")]
    private static partial void LogDispatchFailed(ILogger logger, string reason);
}
