using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace RealtimeService.Application;

/// <summary>
/// One client's socket and its bounded outgoing queue. Only the send loop writes to the socket, so a
/// client that stops reading stalls nobody but itself: producers only ever <see cref="TryEnqueue"/>,
/// and a full queue disconnects the client instead of waiting for it.
/// </summary>
public sealed class RealtimeConnection
{
    private readonly WebSocket _socket;
    private readonly Channel<OutgoingMessage> _outgoing;
    private readonly TimeSpan _closeHandshakeTimeout;
    private readonly RealtimeMetrics _metrics;
    private int _closeRequested;
    private long _lastReceivedTicks = Environment.TickCount64;
    private long _lastPingTicks = Environment.TickCount64;

    public RealtimeConnection(WebSocket socket, RealtimeOptions options, RealtimeMetrics metrics)
    {
        _socket = socket;
        _metrics = metrics;
        _closeHandshakeTimeout = options.CloseHandshakeTimeout;
        _outgoing = Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Guid Id { get; } = Guid.NewGuid();

    public Guid UserId { get; private set; }

    /// <summary>The system-wide order of this user's connections: the highest one is the live one.</summary>
    public long Sequence { get; private set; }

    public DateTimeOffset? TokenExpiresAt { get; private set; }

    public bool IsAuthenticated => UserId != Guid.Empty;

    public int? CloseStatus { get; private set; }

    public string? DisconnectReason { get; private set; }

    public void Authenticate(AuthenticatedUser user) => (UserId, TokenExpiresAt) = (user.UserId, user.ExpiresAt);

    public void AssignSequence(long sequence) => Sequence = sequence;

    public long MillisecondsSinceLastReceive => Environment.TickCount64 - Interlocked.Read(ref _lastReceivedTicks);

    public long MillisecondsSinceLastPing => Environment.TickCount64 - Interlocked.Read(ref _lastPingTicks);

    public void MarkReceived() => Interlocked.Exchange(ref _lastReceivedTicks, Environment.TickCount64);

    public void MarkPingSent() => Interlocked.Exchange(ref _lastPingTicks, Environment.TickCount64);

    /// <summary>
    /// Queues one text message; a full queue means the client stopped reading, and it is dropped. The current trace
    /// (an event's delivery) goes along, so that the send is part of it; keepalive pings carry none and stay untraced.
    /// </summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> utf8Json)
    {
        if (_outgoing.Writer.TryWrite(new OutgoingMessage(utf8Json, Activity.Current?.Context ?? default)))
        {
            return true;
        }
        if (Volatile.Read(ref _closeRequested) == 0)
        {
            _metrics.SlowConsumerDropped();
            Abort("slow consumer: outgoing queue full");
        }
        return false;
    }

    /// <summary>Sends what is already queued, then the close frame. The first close request wins.</summary>
    public void RequestClose(int closeStatus, string reason)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) == 0)
        {
            CloseStatus = closeStatus;
            DisconnectReason = reason;
            _outgoing.Writer.TryComplete();
        }
    }

    /// <summary>Drops the connection at once, without a close frame (it could not be delivered anyway).</summary>
    public void Abort(string reason)
    {
        Interlocked.Exchange(ref _closeRequested, 1);
        DisconnectReason ??= reason;
        _outgoing.Writer.TryComplete();
        _socket.Abort();
    }

    public bool IsClosing => Volatile.Read(ref _closeRequested) == 1;

    /// <summary>Writes queued messages to the socket until the queue completes, then closes the output.</summary>
    public async Task RunSendLoopAsync()
    {
        try
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync())
            {
                using var activity = message.Trace == default ? null
                    : DeliverEvent.ActivitySource.StartActivity("realtime send", ActivityKind.Producer, message.Trace);
                await _socket.SendAsync(message.Utf8Json, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
            if (CloseStatus is { } status && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(_closeHandshakeTimeout);
                await _socket.CloseOutputAsync((WebSocketCloseStatus)status, DisconnectReason, timeout.Token);
                // A client that never answers the close frame must not hold the connection open.
                _ = Task.Delay(_closeHandshakeTimeout).ContinueWith(
                    _ => { if (_socket.State != WebSocketState.Closed) _socket.Abort(); }, TaskScheduler.Default);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or the socket was aborted: nothing left to send to.
            _socket.Abort();
        }
    }
}

/// <summary>A queued message and the trace it belongs to (default for none).</summary>
internal readonly record struct OutgoingMessage(ReadOnlyMemory<byte> Utf8Json, ActivityContext Trace);
