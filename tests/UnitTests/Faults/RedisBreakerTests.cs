using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace UnitTests.Faults;

public sealed class RedisBreakerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task AConnectionTornDownMidCallIsAConnectionFailureNotABug()
    {
        // What StackExchange.Redis threw for a call in flight when it dropped a frozen server's socket.
        var breaker = new RedisBreaker(NullLogger<RedisBreaker>.Instance);

        var failure = await Assert.ThrowsAsync<RedisConnectionException>(async () =>
            await breaker.ExecuteAsync<RedisValue>(() => throw new InvalidOperationException("Reading is not allowed after reader was completed."), Deadline));

        Assert.IsType<InvalidOperationException>(failure.InnerException);
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
