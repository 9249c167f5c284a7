using System.Threading.RateLimiting;
using CsCheck;
using Gateway.Domain;
using Gateway.Infrastructure;
using Gateway.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace UnitTests.Gateway;

/// <summary>
/// The leased sliding-window limiter (several replicas spending leases from one shared log) checked against a
/// plain reference model: a list of the times of granted requests, where a request is allowed iff fewer than
/// <c>limit</c> granted ones lie in the last <c>window</c>.
/// </summary>
public sealed class LeasedRateLimitTests
{
    private const long WindowMs = 2_000;

    [Fact]
    public void NeverMoreThanTheLimitInAnyWindowAcrossReplicas()
    {
        Gen.Select(Gen.Int[1, 200], Gen.Select(Gen.Int[0, 2], Gen.Int[0, 60]).Array[1, 800])
            .Sample((limit, steps) =>
            {
                var granted = Simulate(limit, replicas: 3, steps).Where(d => d.Allowed).Select(d => d.AtMs).ToList();
                return MostInAnyWindow(granted) <= limit;
            }, iter: 300);
    }

    [Fact]
    public void WithOnePermitLeasesTheDecisionsAreTheReferenceModels()
    {
        // Below 32 permits left a lease is one permit, so every decision is the exact per-request one.
        Gen.Select(Gen.Int[1, 31], Gen.Select(Gen.Int[0, 1], Gen.Int[0, 400]).Array[1, 300])
            .Sample((limit, steps) =>
            {
                var decisions = Simulate(limit, replicas: 2, steps);
                var reference = new List<long>();
                foreach (var (at, allowed) in decisions)
                {
                    var expected = reference.Count(t => t > at - WindowMs) < limit;
                    if (expected)
                    {
                        reference.Add(at);
                    }
                    if (expected != allowed)
                    {
                        return false;
                    }
                }
                return true;
            }, iter: 300);
    }

    [Fact]
    public void AlternatingReplicasGetExactlyTheLimitBeforeTheFirstRefusal()
    {
        var steps = Enumerable.Range(0, 150).Select(i => (i % 2, 1)).ToArray();

        var decisions = Simulate(100, replicas: 2, steps);

        Assert.Equal(Enumerable.Repeat(true, 100).Concat(Enumerable.Repeat(false, 50)), decisions.Select(d => d.Allowed));
    }

    [Fact]
    public void AtASteadyRateAlmostEveryRequestIsAnsweredWithoutTheStore()
    {
        var clock = new ManualClock();
        var store = new InMemoryLeaseStore(clock);
        var limiters = Enumerable.Range(0, 2).Select(_ => Limiter(1_000_000_000, store, clock)).ToArray();

        for (var i = 0; i < 10_000; i++)
        {
            clock.NowMs += i % 5 == 0 ? 1 : 0;
            Assert.True(Acquire(limiters[i % 2]).IsAcquired);
        }

        Assert.InRange(store.Calls, 2, 100);
    }

    [Fact]
    public void ARefusalSaysWhenTheOldestPermitLeavesTheWindow()
    {
        var clock = new ManualClock();
        var limiter = Limiter(5, new InMemoryLeaseStore(clock), clock, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(Acquire(limiter).IsAcquired);
        }
        clock.NowMs += 1_500;

        using var refused = Acquire(limiter);

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(59), retryAfter);
    }

    [Fact]
    public async Task WithRedisUnreachableLeasesComeFromThisReplicasMemory()
    {
        using var unreachable = await ConnectionMultiplexer.ConnectAsync(
            $"127.0.0.1:{UnusedPort()},abortConnect=false,connectTimeout=200,syncTimeout=200,asyncTimeout=200");
        var store = new LeaseStore(unreachable, TimeProvider.System, NullLogger<LeaseStore>.Instance);
        var limiter = new LeasedWindowLimiter("auth", "ip:127.0.0.9",
            new RateLimitTierOptions { PermitLimit = 5, Window = TimeSpan.FromMinutes(1) }, store, new HttpContextAccessor(), TimeProvider.System);

        var decisions = new List<bool>();
        for (var i = 0; i < 6; i++)
        {
            using var lease = await limiter.AcquireAsync();
            decisions.Add(lease.IsAcquired);
        }

        Assert.Equal([true, true, true, true, true, false], decisions);
    }

    /// <summary>Runs the steps (replica, milliseconds since the previous step) and returns each decision with its time.</summary>
    private static List<(long AtMs, bool Allowed)> Simulate(int limit, int replicas, (int Replica, int DelayMs)[] steps)
    {
        var clock = new ManualClock();
        var store = new InMemoryLeaseStore(clock);
        var limiters = Enumerable.Range(0, replicas).Select(_ => Limiter(limit, store, clock)).ToArray();
        var decisions = new List<(long, bool)>();
        foreach (var (replica, delay) in steps)
        {
            clock.NowMs += delay;
            using var lease = Acquire(limiters[replica % replicas]);
            decisions.Add((clock.NowMs, lease.IsAcquired));
        }
        return decisions;
    }

    private static int MostInAnyWindow(List<long> times)
    {
        var most = 0;
        for (int start = 0, end = 0; end < times.Count; end++)
        {
            while (times[start] <= times[end] - WindowMs)
            {
                start++;
            }
            most = Math.Max(most, end - start + 1);
        }
        return most;
    }

    private static LeasedWindowLimiter Limiter(int limit, ILeaseStore store, TimeProvider clock, TimeSpan? window = null) =>
        new("api", "user:1", new RateLimitTierOptions { PermitLimit = limit, Window = window ?? TimeSpan.FromMilliseconds(WindowMs) },
            store, new HttpContextAccessor(), clock);

    /// <summary>What the rate-limiting middleware does: the synchronous attempt, then the asynchronous one.</summary>
    private static RateLimitLease Acquire(RateLimiter limiter)
    {
        var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return lease;
        }
        lease.Dispose();
        return limiter.AcquireAsync().AsTask().GetAwaiter().GetResult();
    }

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ManualClock : TimeProvider
    {
        public long NowMs { get; set; } = 1_000_000;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

        public override long GetTimestamp() => NowMs;

        public override long TimestampFrequency => 1000;
    }

    /// <summary>The shared log all replicas lease from (what Redis holds), answering at once.</summary>
    private sealed class InMemoryLeaseStore(ManualClock clock) : ILeaseStore
    {
        private readonly SlidingWindowLog _log = new();

        public int Calls { get; private set; }

        public Task<LeaseGrant> LeaseAsync(string tier, string partition, LeaseRequest request)
        {
            Calls++;
            return Task.FromResult(_log.Lease(clock.NowMs, request));
        }
    }
}
