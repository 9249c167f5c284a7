using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A circuit breaker for Redis calls on a request's path (a cache read, a cache fill). Each call is bounded by
/// its deadline; after failures (at least <see cref="MinimumThroughput"/> calls, half of them failing) the
/// breaker opens for <see cref="BreakDuration"/> and every call fails at once with
/// <see cref="BrokenCircuitException"/>, so a frozen Redis costs a request nothing after the first deadlines.
/// One probe call is let through after each break.
/// </summary>
public sealed partial class RedisBreaker
{
    public const int MinimumThroughput = 2;
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    private readonly ResiliencePipeline _pipeline;

    public RedisBreaker(ILogger<RedisBreaker> logger)
    {
        _pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutException>(),
                FailureRatio = 0.5,
                MinimumThroughput = MinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = BreakDuration,
                OnOpened = args =>
                {
                    LogOpened(logger, args.BreakDuration.TotalSeconds, args.Outcome.Exception?.GetType().Name ?? "failure");
                    return default;
                },
                OnClosed = _ =>
                {
                    LogClosed(logger);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Runs one Redis operation within <paramref name="deadline"/>; throws at once while the breaker is open.</summary>
    public ValueTask<T> ExecuteAsync<T>(Func<Task<T>> operation, TimeSpan deadline) =>
        _pipeline.ExecuteAsync(async _ =>
        {
            try
            {
                return await operation().WaitAsync(deadline);
            }
            catch (Exception e) when (IsTornConnection(e))
            {
                throw AsConnectionFailure(e);
            }
        });

    /// <inheritdoc cref="ExecuteAsync{T}(Func{Task{T}}, TimeSpan)"/>
    public ValueTask ExecuteAsync(Func<Task> operation, TimeSpan deadline) =>
        _pipeline.ExecuteAsync(async _ =>
        {
            try
            {
                await operation().WaitAsync(deadline);
            }
            catch (Exception e) when (IsTornConnection(e))
            {
                throw AsConnectionFailure(e);
            }
        });

    /// <summary>
    /// When its dead-socket detection tears a connection down under a frozen server, StackExchange.Redis can fail a
    /// call in flight with <see cref="InvalidOperationException"/> ("Reading is not allowed after reader was
    /// completed"), <see cref="ObjectDisposedException"/> or <see cref="TaskCanceledException"/> instead of a
    /// <see cref="RedisException"/> — each seen as a 500 on <c>GET /api/users/me</c> while Redis was frozen (issue 10).
    /// No call here takes a cancellation token, so a cancellation too is the connection failing; callers (and the
    /// breaker) see it as one.
    /// </summary>
    private static bool IsTornConnection(Exception e) =>
        e is InvalidOperationException or ObjectDisposedException or IOException or OperationCanceledException;

    private static RedisConnectionException AsConnectionFailure(Exception e) =>
        new(ConnectionFailureType.SocketFailure, "The Redis connection failed during the call.", e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis breaker open for {Seconds} s after {Reason}: Redis calls on the request path are skipped")]
    private static partial void LogOpened(ILogger logger, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis breaker closed: Redis answers again")]
    private static partial void LogClosed(ILogger logger);
}
