using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace UnitTests.Faults;

public sealed class RedisBreakerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    public static TheoryData<Exception> TornConnections => new()
    {
        // What StackExchange.Redis threw for calls in flight when it dropped a frozen server's socket.
        new InvalidOperationException("Reading is not allowed after reader was completed."),
        new TaskCanceledException("A task was canceled."),
        new ObjectDisposedException("socket"),
    };

    [Theory]
    [MemberData(nameof(TornConnections))]
    public async Task AConnectionTornDownMidCallIsAConnectionFailureNotABug(Exception thrown)
    {
        var breaker = new RedisBreaker(NullLogger<RedisBreaker>.Instance);

        var failure = await Assert.ThrowsAsync<RedisConnectionException>(async () =>
            await breaker.ExecuteAsync<RedisValue>(() => Task.FromException<RedisValue>(thrown), Deadline));

        Assert.Same(thrown, failure.InnerException);
        Assert.Equal("Redis", DependencyFailure.UnavailableDependency(failure));
    }

    [Fact]
    public async Task TornConnectionsCountTowardsOpeningTheBreaker()
    {
        var breaker = new RedisBreaker(NullLogger<RedisBreaker>.Instance);
        for (var i = 0; i < RedisBreaker.MinimumThroughput; i++)
        {
            await Assert.ThrowsAsync<RedisConnectionException>(async () =>
                await breaker.ExecuteAsync(() => throw new ObjectDisposedException("socket"), Deadline));
        }

        var called = false;
        await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
            await breaker.ExecuteAsync(() => { called = true; return Task.CompletedTask; }, Deadline));
        Assert.False(called);
    }
}
