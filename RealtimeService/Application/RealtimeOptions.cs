namespace RealtimeService.Application;

/// <summary>Knobs of the WebSocket endpoint, bound from the <c>Realtime</c> configuration section.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>How often the server sends <c>{"type":"ping"}</c> (contract §4: 30 s).</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection from which nothing arrived for this long is closed with 4408 (contract §4: 60 s).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an unauthenticated connection may take to send its <c>auth</c> message.</summary>
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages waiting for one client; a client that lets this many pile up is disconnected.</summary>
    public int SendQueueCapacity { get; set; } = 256;

    /// <summary>The largest client message accepted; a larger one closes the connection with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>How long a closing handshake may take before the socket is simply aborted.</summary>
    public TimeSpan CloseHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many threads write one broadcast to more than 1 024 sockets (one thread walking them all held the throughput down).</summary>
    public int BroadcastParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>On shutdown, how long to wait for every client to answer the 1001 close.</summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
