using System.Diagnostics;

namespace RealtimeService.Application;

/// <summary>
/// The messages waiting for one socket, first in, first out; not thread-safe (its connection's lock guards it).
/// Nearly always there is at most one (a delivery the socket takes at once), so that one is held inline; a queue is
/// allocated only while a client lags behind and dropped once it has caught up, so an idle connection holds none.
/// </summary>
internal struct OutgoingQueue
{
    private OutgoingMessage _head;
    private bool _hasHead;
    private Queue<OutgoingMessage>? _rest; // never empty: null once drained

    public readonly int Count => (_hasHead ? 1 : 0) + (_rest?.Count ?? 0);

    public void Enqueue(OutgoingMessage message)
    {
        if (!_hasHead && _rest is null)
        {
            (_head, _hasHead) = (message, true);
            return;
        }
        (_rest ??= new Queue<OutgoingMessage>(4)).Enqueue(message);
    }

    public bool TryDequeue(out OutgoingMessage message)
    {
        if (_hasHead)
        {
            (message, _head, _hasHead) = (_head, default, false);
            return true;
        }
        if (_rest is not null && _rest.TryDequeue(out message))
        {
            if (_rest.Count == 0)
            {
                _rest = null;
            }
            return true;
        }
        message = default;
        return false;
    }

    public void Clear() => (_head, _hasHead, _rest) = (default, false, null);
}

/// <summary>A queued message and the trace it belongs to (default for none).</summary>
internal readonly record struct OutgoingMessage(ReadOnlyMemory<byte> Utf8Json, ActivityContext Trace);
