using System.Diagnostics;
using System.Net.WebSockets;

namespace RealtimeService.Application;

/// <summary>
/// One client's socket and its bounded outgoing queue. Only the send pump writes to the socket, so a
/// client that stops reading stalls nobody but itself: producers only ever <see cref="TryEnqueue"/>,
/// and a full queue disconnects the client instead of waiting for it.
/// </summary>
/// <remarks>
/// Nothing runs while the queue is empty: the pump starts when a message arrives and ends when the queue
/// is drained (no waiting task, no channel, per idle connection). The producer that finds no pump running
/// starts it on its own thread, so a message to a client whose socket accepts it at once is written without
/// a thread switch; a send that has to wait continues asynchronously and the producer moves on.
/// </remarks>
public sealed class RealtimeConnection(WebSocket socket, RealtimeOptions options, RealtimeMetrics metrics)
{
    private readonly Lock _gate = new();
    private OutgoingQueue _pending;
    private bool _pumping;
    private bool _held;
    private bool _completed;
    private TaskCompletionSource? _outputEnded;
    private long _lastReceivedTicks = Environment.TickCount64;
    private long _lastPingTicks = Environment.TickCount64;

    public Guid Id { get; } = Guid.NewGuid();

    public Guid UserId { get; private set; }

    /// <summary>The login session (<c>sid</c>) the connection's token belongs to.</summary>
    public string? SessionId { get; private set; }

    /// <summary>The system-wide order of this user's connections: the highest one is the live one.</summary>
    public long Sequence { get; private set; }

    public DateTimeOffset? TokenExpiresAt { get; private set; }

    public bool IsAuthenticated => UserId != Guid.Empty;

    public int? CloseStatus { get; private set; }

    public string? DisconnectReason { get; private set; }

    public void Authenticate(AuthenticatedUser user) =>
        (UserId, SessionId, TokenExpiresAt) = (user.UserId, user.SessionId, user.ExpiresAt);

    public void AssignSequence(long sequence) => Sequence = sequence;

    public long MillisecondsSinceLastReceive => Environment.TickCount64 - Interlocked.Read(ref _lastReceivedTicks);

    public long MillisecondsSinceLastPing => Environment.TickCount64 - Interlocked.Read(ref _lastPingTicks);

    public void MarkReceived() => Interlocked.Exchange(ref _lastReceivedTicks, Environment.TickCount64);

    public void MarkPingSent() => Interlocked.Exchange(ref _lastPingTicks, Environment.TickCount64);

    public bool IsClosing => Volatile.Read(ref _completed);

    /// <summary>Completes once nothing more will be written (after the close frame, or the abort).</summary>
    public Task OutputEnded => Volatile.Read(ref _outputEnded)?.Task ?? throw new InvalidOperationException("Not closing.");

    /// <summary>
    /// Queues one text message; a full queue means the client stopped reading, and it is dropped. A message with a
    /// trace (an event for one user) has its socket write recorded as <c>realtime send</c> under it; broadcasts and
    /// keepalive pings carry none (a span per socket would be thousands per broadcast, and cost the fan-out time).
    /// </summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> utf8Json, ActivityContext trace = default)
    {
        bool startPump;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }
            if (_pending.Count < options.SendQueueCapacity)
            {
                _pending.Enqueue(new OutgoingMessage(utf8Json, trace));
                startPump = !_pumping && !_held;
                _pumping |= startPump;
            }
            else
            {
                startPump = false;
                utf8Json = default;
            }
        }
        if (utf8Json.IsEmpty)
        {
            metrics.SlowConsumerDropped();
            Abort("slow consumer: outgoing queue full");
            return false;
        }
        if (startPump)
        {
            _ = PumpAsync();
        }
        return true;
    }

    /// <summary>Queues without sending until <see cref="ReleaseOutput"/> (the greeting, until the connection is registered).</summary>
    public void HoldOutput()
    {
        lock (_gate)
        {
            _held = true;
        }
    }

    /// <summary>Sends what was queued while held, and whatever comes after.</summary>
    public void ReleaseOutput()
    {
        bool startPump;
        lock (_gate)
        {
            _held = false;
            startPump = !_pumping && (_completed || _pending.Count > 0);
            _pumping |= startPump;
        }
        if (startPump)
        {
            _ = PumpAsync();
        }
    }

    /// <summary>Sends what is already queued, then the close frame. The first close request wins.</summary>
    public void RequestClose(int closeStatus, string reason)
    {
        bool startPump;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }
            (CloseStatus, DisconnectReason) = (closeStatus, reason);
            Complete();
            _held = false;
            startPump = !_pumping;
            _pumping = true;
        }
        if (startPump)
        {
            _ = PumpAsync();
        }
    }

    /// <summary>Drops the connection at once, without a close frame (it could not be delivered anyway).</summary>
    public void Abort(string reason)
    {
        bool pumpRunning;
        lock (_gate)
        {
            DisconnectReason ??= reason;
            if (!_completed)
            {
                Complete();
            }
            _pending.Clear();
            pumpRunning = _pumping;
        }
        socket.Abort();
        if (!pumpRunning)
        {
            _outputEnded!.TrySetResult();
        }
    }

    private void Complete()
    {
        Volatile.Write(ref _completed, true);
        Volatile.Write(ref _outputEnded, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Writes queued messages until the queue is empty; once the connection is closing, ends its output.</summary>
    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                OutgoingMessage message;
                lock (_gate)
                {
                    if (!_pending.TryDequeue(out message))
                    {
                        if (!_completed)
                        {
                            _pumping = false;
                            return;
                        }
                        break;
                    }
                }
                using var activity = message.Trace == default ? null
                    : DeliverEvent.ActivitySource.StartActivity("realtime send", ActivityKind.Producer, message.Trace);
                await socket.SendAsync(message.Utf8Json, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
            await SendCloseAsync();
        }
        catch (Exception)
        {
            // The peer went away or the socket was aborted (WebSocketException, ObjectDisposedException, a
            // cancelled close): nothing left to send to. Whatever it was, the output is over.
            socket.Abort();
        }
        lock (_gate)
        {
            _pumping = false;
        }
        _outputEnded!.TrySetResult();
    }

    private async Task SendCloseAsync()
    {
        if (CloseStatus is not { } status || socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var timeout = new CancellationTokenSource(options.CloseHandshakeTimeout);
        await socket.CloseOutputAsync((WebSocketCloseStatus)status, DisconnectReason, timeout.Token);
        // A client that never answers the close frame must not hold the connection open.
        _ = Task.Delay(options.CloseHandshakeTimeout).ContinueWith(
            _ => { if (socket.State != WebSocketState.Closed) socket.Abort(); }, TaskScheduler.Default);
    }
}
