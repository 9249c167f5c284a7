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

    public async Task RunAsync(WebSocket socket, AuthenticatedUser? user, CancellationToken aborted)
    {
        var connection = new RealtimeConnection(socket, _options, metrics);
        registry.Track(connection);
        var sending = connection.RunSendLoopAsync();
        var reader = new MessageReader(socket, _options.MaxMessageBytes);
        Task<ReceivedMessage>? pending = null;
        try
        {
            if (user is null)
            {
                (user, pending) = await AwaitAuthMessageAsync(connection, reader, aborted);
                if (user is null)
                {
                    connection.RequestClose(CloseCodes.Unauthorized, "authentication required");
                    await DrainUntilClosedAsync(connection, reader, pending);
                    return;
                }
            }

            connection.Authenticate(user);
            connection.TryEnqueue(ServerMessages.Connected(user.UserId));
            if (await registry.RegisterAsync(connection, aborted))
            {
                logger.LogInformation("User {UserId} connected ({ConnectionId})", user.UserId, connection.Id);
            }
            await ReceiveLoopAsync(connection, reader, pending);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            connection.Abort("connection lost");
        }
        finally
        {
            registry.Remove(connection);
            if (socket.State is not WebSocketState.Closed and not WebSocketState.Aborted && !connection.IsClosing)
            {
                connection.Abort("connection ended");
            }
            await sending;
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
/// Reads whole messages in small chunks, so that an idle connection holds only a 1 KiB buffer; a larger
/// message grows a pooled buffer up to the limit.
/// </summary>
internal sealed class MessageReader(WebSocket socket, int maxMessageBytes) : IDisposable
{
    private readonly byte[] _chunk = new byte[1024];
    private byte[]? _large;

    public async Task<ReceivedMessage> ReceiveAsync()
    {
        var length = 0;
        var tooBig = false;
        while (true)
        {
            var result = await socket.ReceiveAsync(_chunk.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new ReceivedMessage(ReceivedKind.Close, default);
            }
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return new ReceivedMessage(ReceivedKind.Binary, default);
            }
            if (length + result.Count > maxMessageBytes)
            {
                tooBig = true;
            }
            if (tooBig)
            {
                // Stop at once: reading the rest of an oversized message would only waste time.
                return new ReceivedMessage(ReceivedKind.TooBig, default);
            }
            if (result.EndOfMessage && length == 0)
            {
                return new ReceivedMessage(ReceivedKind.Text, _chunk.AsMemory(0, result.Count));
            }
            Append(length, result.Count);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return new ReceivedMessage(ReceivedKind.Text, _large.AsMemory(0, length));
            }
        }
    }

    private void Append(int length, int count)
    {
        if (_large is null || _large.Length < length + count)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(maxMessageBytes, Math.Max(4096, (length + count) * 2)));
            _large?.AsSpan(0, length).CopyTo(grown);
            if (_large is not null)
            {
                ArrayPool<byte>.Shared.Return(_large);
            }
            _large = grown;
        }
        _chunk.AsSpan(0, count).CopyTo(_large.AsSpan(length));
    }

    public void Dispose()
    {
        if (_large is not null)
        {
            ArrayPool<byte>.Shared.Return(_large);
            _large = null;
        }
    }
}
