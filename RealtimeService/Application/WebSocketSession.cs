using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using RealtimeService.Domain;

namespace RealtimeService.Application;

/// <summary>
/// Runs one accepted WebSocket from first frame to last: authentication (query token or a first
/// <c>auth</c> message within the time limit), registration as the user's live connection, and the
/// receive loop that enforces the frame rules of contract §4.
/// </summary>
public sealed class WebSocketSession(
    ConnectionRegistry registry,
    IAccessTokenValidator tokens,
    RealtimeMetrics metrics,
    IOptions<RealtimeOptions> options,
    ILogger<WebSocketSession> logger)
{
    private const int ReceiveChunkBytes = 1024;
    private readonly RealtimeOptions _options = options.Value;

    /// <param name="registered">Called once the connection is registered (the end of connecting).</param>
    public async Task RunAsync(WebSocket socket, AuthenticatedUser? user, Action registered, CancellationToken aborted)
    {
        var connection = new RealtimeConnection(socket, _options, metrics);
        registry.Track(connection);
        var reader = new MessageReader(socket, _options.MaxMessageBytes);
        Task<ReceivedMessage>? pending = null;
        try
        {
            if (user is null)
            {
                try
                {
                    (user, pending) = await AwaitAuthMessageAsync(connection, reader, aborted);
                }
                catch (DependencyUnavailableException)
                {
                    // The token could not be checked, which says nothing against it: 1013, not 4401 (which would tell
                    // the client to drop it). Nothing was read after the auth message, so nothing is pending.
                    connection.RequestClose(CloseCodes.TryAgainLater, "authentication unavailable, try again later");
                    await DrainUntilClosedAsync(connection, reader, pending: null);
                    return;
                }
                if (user is null)
                {
                    connection.RequestClose(CloseCodes.Unauthorized, "authentication required");
                    await DrainUntilClosedAsync(connection, reader, pending);
                    return;
                }
            }

            connection.Authenticate(user);
            // The greeting is the first message, and the client sees it only once the connection is
            // registered: an event raised after the client got "connected" always reaches it.
            connection.HoldOutput();
            connection.TryEnqueue(ServerMessages.Connected(user.UserId));
            var isLive = await registry.RegisterAsync(connection, aborted);
            connection.ReleaseOutput();
            if (isLive)
            {
                logger.LogInformation("User {UserId} connected ({ConnectionId})", user.UserId, connection.Id);
            }
            registered();
            await ReceiveLoopAsync(connection, reader, pending);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            connection.Abort("connection lost");
        }
        finally
        {
            registry.Remove(connection);
            if (!connection.IsClosing)
            {
                connection.Abort("connection ended");
            }
            await connection.OutputEnded;
            reader.Dispose();
            metrics.Closed(connection.CloseStatus);
            logger.LogInformation("Connection {ConnectionId} of user {UserId} ended: {Reason}",
                connection.Id, connection.UserId, connection.DisconnectReason ?? "closed by the client");
        }
    }

    private async Task<(AuthenticatedUser?, Task<ReceivedMessage>?)> AwaitAuthMessageAsync(
        RealtimeConnection connection, MessageReader reader, CancellationToken aborted)
    {
        var deadline = Task.Delay(_options.AuthTimeout, aborted);
        while (true)
        {
            var receiving = reader.ReceiveAsync();
            if (await Task.WhenAny(receiving, deadline) == deadline)
            {
                return (null, receiving);
            }
            var received = await receiving;
            connection.MarkReceived();
            switch (Classify(connection, received))
            {
                case ClientMessage.Auth auth:
                    return (await tokens.ValidateAsync(auth.Token, aborted), null);
                case ClientMessage.Invalid invalid:
                    connection.TryEnqueue(ServerMessages.Error(invalid.Reason));
                    break;
                case ClientMessage.Pong:
                    break;
                case null:
                    return (null, null);
            }
        }
    }

    private async Task ReceiveLoopAsync(RealtimeConnection connection, MessageReader reader, Task<ReceivedMessage>? pending)
    {
        while (true)
        {
            var received = await (pending ?? reader.ReceiveAsync());
            pending = null;
            connection.MarkReceived();
            switch (Classify(connection, received))
            {
                case null:
                    return;
                case ClientMessage.Invalid invalid:
                    connection.TryEnqueue(ServerMessages.Error(invalid.Reason));
                    break;
                case ClientMessage.Auth:
                    connection.TryEnqueue(ServerMessages.Error("Already authenticated."));
                    break;
                case ClientMessage.Pong:
                    break;
            }
        }
    }

    /// <summary>The client message, or null when the connection is over (a close frame, or a rule broken).</summary>
    private static ClientMessage? Classify(RealtimeConnection connection, ReceivedMessage received)
    {
        switch (received.Kind)
        {
            case ReceivedKind.Close:
                connection.RequestClose((int)WebSocketCloseStatus.NormalClosure, "closed by the client");
                return null;
            case ReceivedKind.Binary:
                connection.RequestClose(CloseCodes.UnsupportedData, "binary frames are not accepted");
                return null;
            case ReceivedKind.TooBig:
                connection.RequestClose(CloseCodes.MessageTooBig, "message larger than 64 KiB");
                return null;
            default:
                return ClientMessage.Parse(received.Text);
        }
    }

    /// <summary>After asking to close, reads (and ignores) until the client answers or the socket goes.</summary>
    private async Task DrainUntilClosedAsync(RealtimeConnection connection, MessageReader reader, Task<ReceivedMessage>? pending)
    {
        var timeout = Task.Delay(_options.CloseHandshakeTimeout);
        while (true)
        {
            var receiving = pending ?? reader.ReceiveAsync();
            pending = null;
            if (await Task.WhenAny(receiving, timeout) == timeout)
            {
                connection.Abort("close handshake timed out");
                return;
            }
            if ((await receiving).Kind == ReceivedKind.Close)
            {
                return;
            }
        }
    }
}

public enum ReceivedKind { Text, Binary, TooBig, Close }

public readonly record struct ReceivedMessage(ReceivedKind Kind, ReadOnlyMemory<byte> Text);

/// <summary>
/// Reads whole messages. While the connection is idle it holds no buffer: it waits with a zero-byte read
/// (ManagedWebSocket passes it down to Kestrel, which waits on the socket the same way), and only when a
/// frame arrives rents a pooled buffer, grown up to the limit, given back before the next wait.
/// </summary>
internal sealed class MessageReader(WebSocket socket, int maxMessageBytes) : IDisposable
{
    private const int FirstBufferBytes = 1024;
    private byte[]? _buffer;

    public async Task<ReceivedMessage> ReceiveAsync()
    {
        Dispose(); // the previous message has been handled by now
        var result = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
        var length = 0;
        while (true)
        {
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new ReceivedMessage(ReceivedKind.Close, default);
            }
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return new ReceivedMessage(ReceivedKind.Binary, default);
            }
            length += result.Count;
            if (length > maxMessageBytes)
            {
                // Stop at once: reading the rest of an oversized message would only waste time.
                return new ReceivedMessage(ReceivedKind.TooBig, default);
            }
            if (result.EndOfMessage)
            {
                return new ReceivedMessage(ReceivedKind.Text, _buffer.AsMemory(0, length));
            }
            EnsureRoomAfter(length);
            // Never more than one byte past the limit, so that an oversized message is seen as soon as it is.
            var room = Math.Min(_buffer!.Length - length, maxMessageBytes + 1 - length);
            result = await socket.ReceiveAsync(_buffer.AsMemory(length, room), CancellationToken.None);
        }
    }

    private void EnsureRoomAfter(int length)
    {
        if (_buffer is not null && length < _buffer.Length)
        {
            return;
        }
        var grown = ArrayPool<byte>.Shared.Rent(_buffer is null ? FirstBufferBytes : Math.Min(_buffer.Length * 2, maxMessageBytes + 1));
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = grown;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
