using Gateway.Infrastructure.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace UnitTests.Gateway;

/// <summary>
/// Redis-down behaviour of the shared rate-limit counter, against a real client whose server is not there:
/// counting continues in the replica's memory, so limits still hold per replica and requests are never failed.
/// </summary>
public sealed class WindowCounterTests : IDisposable
{
    private readonly ConnectionMultiplexer _unreachable = ConnectionMultiplexer.Connect(
        $"127.0.0.1:{UnusedPort()},abortConnect=false,connectTimeout=200,syncTimeout=200,asyncTimeout=200");

    [Fact]
    public async Task WithRedisUnreachableTheCountContinuesInMemory()
    {
        var counter = new WindowCounter(_unreachable, NullLogger<WindowCounter>.Instance);

        var counts = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            counts.Add((await counter.IncrementAsync("auth", "ip:127.0.0.9", TimeSpan.FromMinutes(1))).Count);
        }
        var other = await counter.IncrementAsync("auth", "ip:127.0.0.10", TimeSpan.FromMinutes(1));

        Assert.Equal([1, 2, 3, 4, 5, 6], counts);
        Assert.Equal(1, other.Count);
        Assert.InRange(other.ResetAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task AnExpiredLocalWindowStartsAgain()
    {
        var counter = new WindowCounter(_unreachable, NullLogger<WindowCounter>.Instance);

        await counter.IncrementAsync("api", "user:1", TimeSpan.FromMilliseconds(1));
        await Task.Delay(20);
        var next = await counter.IncrementAsync("api", "user:1", TimeSpan.FromMinutes(1));

        Assert.Equal(1, next.Count);
    }

    public void Dispose() => _unreachable.Dispose();

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
