using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The PostgreSQL circuit breaker of a service (one per database, shared by requests, background work and the
/// health check). When at least half of the calls in <see cref="SamplingDuration"/> (and at least
/// <see cref="MinimumThroughput"/>) found the database unavailable, it opens for <see cref="BreakDuration"/>: calls
/// fail at once (503 + Retry-After). Then one trial call goes through; its success closes the breaker — no restart.
/// Its state changes are logged, and counted in the <c>Polly</c> meter (<c>resilience.polly.strategy.events</c>).
/// </summary>
internal static partial class DatabaseBreaker
{
    public const int MinimumThroughput = 3;
    public static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan BreakDuration = DependencyFailure.RetryAfter;

    public static void Configure(ResiliencePipelineBuilder pipeline, string dependency, ILogger logger) =>
        pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            // A deadline's cancellation is the caller giving up, not the database failing.
            ShouldHandle = new PredicateBuilder().Handle<Exception>(DependencyFailure.IsUnavailable),
            FailureRatio = 0.5,
            MinimumThroughput = MinimumThroughput,
            SamplingDuration = SamplingDuration,
            BreakDuration = BreakDuration,
            OnOpened = args =>
            {
                LogOpened(logger, dependency, args.BreakDuration.TotalSeconds, args.Outcome.Exception?.GetType().Name ?? "failure");
                return default;
            },
            OnHalfOpened = _ =>
            {
                LogHalfOpened(logger, dependency);
                return default;
            },
            OnClosed = _ =>
            {
                LogClosed(logger, dependency);
                return default;
            },
        });

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "{Dependency} breaker open for {Seconds} s after {Reason}: its calls fail fast with 503")]
    private static partial void LogOpened(ILogger logger, string dependency, double seconds, string reason);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "{Dependency} breaker half-open: the next call is the trial")]
    private static partial void LogHalfOpened(ILogger logger, string dependency);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Information, Message = "{Dependency} breaker closed: the database answers again")]
    private static partial void LogClosed(ILogger logger, string dependency);
}

/// <summary>
/// EF Core's execution strategy, which wraps every query and SaveChanges, made to consult the breaker and never
/// retry (so explicit transactions stay allowed). A call the breaker refuses, or one that finds the database
/// unavailable, surfaces as <see cref="DependencyUnavailableException"/> naming the database: 503 + Retry-After.
/// </summary>
internal sealed class BreakerExecutionStrategy(ExecutionStrategyDependencies dependencies, ResiliencePipeline breaker, string dependency) : IExecutionStrategy
{
    public bool RetriesOnFailure => false;

    public TResult Execute<TState, TResult>(
        TState state, Func<DbContext, TState, TResult> operation, Func<DbContext, TState, ExecutionResult<TResult>>? verifySucceeded)
    {
        try
        {
            return breaker.Execute(() => operation(dependencies.CurrentContext.Context, state));
        }
        catch (Exception e) when (e is BrokenCircuitException || DependencyFailure.IsUnavailable(e))
        {
            throw new DependencyUnavailableException(dependency, e);
        }
    }

    public async Task<TResult> ExecuteAsync<TState, TResult>(
        TState state,
        Func<DbContext, TState, CancellationToken, Task<TResult>> operation,
        Func<DbContext, TState, CancellationToken, Task<ExecutionResult<TResult>>>? verifySucceeded,
        CancellationToken cancellationToken = default)
    {
        try
        {
            return await breaker.ExecuteAsync(
                async token => await operation(dependencies.CurrentContext.Context, state, token), cancellationToken);
        }
        catch (Exception e) when (e is BrokenCircuitException || DependencyFailure.IsUnavailable(e))
        {
            throw new DependencyUnavailableException(dependency, e);
        }
    }
}
