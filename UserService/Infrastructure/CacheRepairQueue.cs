using System.Threading.Channels;

namespace UserService.Infrastructure;

/// <summary>
/// Redis writes that must not be lost (cache replacements after a profile change, realtime events) but
/// could not be done while a request waited. A background loop retries each, with backoff, until it
/// succeeds or its deadline passes (for a cache entry: when the stale entry would have expired anyway).
/// </summary>
public sealed partial class CacheRepairQueue(ILogger<CacheRepairQueue> logger, TimeProvider time) : BackgroundService
{
    private const int Capacity = 10_000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly Channel<PendingWrite> _pending = Channel.CreateBounded<PendingWrite>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Enqueue(Func<Task> write, TimeSpan keepTryingFor) =>
        _pending.Writer.TryWrite(new PendingWrite(write, time.GetUtcNow() + keepTryingFor));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        await foreach (var item in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() > item.Deadline)
                {
                    LogGaveUp(logger);
                    break;
                }
                try
                {
                    await item.Write().WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
                    backoff = TimeSpan.FromMilliseconds(200);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRetry(logger, e.GetType().Name);
                    await Task.Delay(backoff, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deferred Redis write failed again ({Reason}); retrying")]
    private static partial void LogRetry(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deferred Redis write dropped: its deadline passed")]
    private static partial void LogGaveUp(ILogger logger);

    private sealed record PendingWrite(Func<Task> Write, DateTimeOffset Deadline);
}
