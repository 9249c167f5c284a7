using System.Net;
using System.Net.Sockets;

namespace EndToEnd.Tests;

/// <summary>
/// HttpClients for the gateway that open their connections from a chosen loopback address (127.0.0.x), so that
/// tests can act as distinct client IPs: the gateway sees the real peer address because nothing proxies it.
/// </summary>
public static class GatewayClients
{
    private static readonly byte RunOctet = (byte)Random.Shared.Next(2, 250);
    private static int _counter;

    /// <summary>A loopback address (127.r.x.y, r random per run) that no other test in this run has used.</summary>
    public static IPAddress UniqueLoopbackAddress()
    {
        var n = Interlocked.Increment(ref _counter);
        return new IPAddress([127, RunOctet, (byte)(n / 250 % 250 + 1), (byte)(n % 250 + 1)]);
    }

    /// <summary>Pass as source address: every request gets a new connection from a new address.</summary>
    public static readonly IPAddress FreshAddressPerRequest = IPAddress.Broadcast;

    public static HttpClient Create(Uri baseAddress, IPAddress? sourceAddress = null, DecompressionMethods decompression = DecompressionMethods.None)
    {
        var fresh = Equals(sourceAddress, FreshAddressPerRequest);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = decompression,
            PooledConnectionLifetime = fresh ? TimeSpan.Zero : TimeSpan.FromMinutes(2),
        };
        if (sourceAddress is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(fresh ? UniqueLoopbackAddress() : sourceAddress, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }
}
