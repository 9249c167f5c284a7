using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using RealtimeService.Domain;

namespace RealtimeService.Application;

/// <summary>
/// The live connections on this replica, at most one per user. Across replicas the rule holds through
/// <see cref="IConnectionOwnership"/>: every new connection of a user takes a higher sequence number
/// system-wide and announces it, and every replica closes that user's connections with a lower one (4409).
/// </summary>
public sealed class ConnectionRegistry(IConnectionOwnership ownership, IOptions<RealtimeOptions> options, ILogger<ConnectionRegistry> logger)
{
    /// <summary>Below this many connections a broadcast is written by one thread: splitting costs more than it saves.</summary>
    private const int ParallelBroadcastThreshold = 1024;

    private readonly int _broadcastParallelism = options.Value.BroadcastParallelism;
    private readonly ConcurrentDictionary<Guid, RealtimeConnection> _byUser = new();
    private readonly ConcurrentDictionary<Guid, RealtimeConnection> _all = new();

    public int Count => _byUser.Count;

    /// <summary>Every socket on this replica, authenticated or not (keepalive and shutdown need them all).</summary>
    public ICollection<RealtimeConnection> All => _all.Values;

    public void Track(RealtimeConnection connection) => _all[connection.Id] = connection;

    /// <summary>Makes the connection its user's live one, closing the older one wherever it is.</summary>
    public async Task<bool> RegisterAsync(RealtimeConnection connection, CancellationToken cancellationToken)
    {
        connection.AssignSequence(await ownership.NextSequenceAsync(connection.UserId, cancellationToken));
        while (true)
        {
            if (_byUser.TryGetValue(connection.UserId, out var existing))
            {
                if (existing.Sequence > connection.Sequence)
                {
                    Supersede(connection);
                    return false;
                }
                if (!_byUser.TryUpdate(connection.UserId, connection, existing))
                {
                    continue;
                }
                Supersede(existing);
                break;
            }
            if (_byUser.TryAdd(connection.UserId, connection))
            {
                break;
            }
        }
        await ownership.AnnounceAsync(connection.UserId, connection.Sequence, cancellationToken);
        return true;
    }

    /// <summary>Another replica (or this one) announced a newer connection of the user.</summary>
    public void OnConnectionAnnounced(Guid userId, long sequence)
    {
        if (_byUser.TryGetValue(userId, out var existing) && existing.Sequence < sequence)
        {
            Supersede(existing);
        }
    }

    /// <summary>Forgets the connection however it ended (close, abort, network drop, shutdown).</summary>
    public void Remove(RealtimeConnection connection)
    {
        _all.TryRemove(connection.Id, out _);
        if (connection.IsAuthenticated)
        {
            _byUser.TryRemove(new KeyValuePair<Guid, RealtimeConnection>(connection.UserId, connection));
        }
    }

    /// <param name="trace">The delivery's trace, under which the socket write is recorded.</param>
    public int DeliverToUser(Guid userId, ReadOnlyMemory<byte> message, ActivityContext trace) =>
        _byUser.TryGetValue(userId, out var connection) && connection.TryEnqueue(message, trace) ? 1 : 0;

    public int Broadcast(ReadOnlyMemory<byte> message)
    {
        if (_broadcastParallelism <= 1 || _byUser.Count < ParallelBroadcastThreshold)
        {
            var delivered = 0;
            // Enumerating the dictionary itself takes no lock and copies nothing (.Values would lock every bucket
            // and copy every reference); a connection added meanwhile may or may not be included.
            foreach (var (_, connection) in _byUser)
            {
                delivered += connection.TryEnqueue(message) ? 1 : 0;
            }
            return delivered;
        }
        return BroadcastInParallel(message);
    }

    /// <summary>
    /// Splits the sockets between <see cref="RealtimeOptions.BroadcastParallelism"/> threads: with inline scheduling a
    /// write the socket takes at once is its kernel send, on the writing thread, and one thread walking 10 000 sockets
    /// held the fan-out's throughput down (BENCHMARKS.md § Realtime, third pass: 57–58 k → 67–71 k deliveries/s).
    /// </summary>
    private int BroadcastInParallel(ReadOnlyMemory<byte> message)
    {
        var snapshot = ArrayPool<RealtimeConnection>.Shared.Rent(_byUser.Count + 64);
        var count = 0;
        foreach (var (_, connection) in _byUser)
        {
            if (count == snapshot.Length)
            {
                break; // added during the copy: like the sequential walk, it may or may not be included
            }
            snapshot[count++] = connection;
        }
        var delivered = 0;
        var slice = (count + _broadcastParallelism - 1) / _broadcastParallelism;
        Parallel.For(0, _broadcastParallelism, new ParallelOptions { MaxDegreeOfParallelism = _broadcastParallelism }, part =>
        {
            var local = 0;
            for (var i = part * slice; i < Math.Min(count, (part + 1) * slice); i++)
            {
                local += snapshot[i].TryEnqueue(message) ? 1 : 0;
            }
            Interlocked.Add(ref delivered, local);
        });
        Array.Clear(snapshot, 0, count);
        ArrayPool<RealtimeConnection>.Shared.Return(snapshot);
        return delivered;
    }

    private void Supersede(RealtimeConnection connection)
    {
        _byUser.TryRemove(new KeyValuePair<Guid, RealtimeConnection>(connection.UserId, connection));
        if (!connection.IsClosing)
        {
            logger.LogInformation("Closing connection {ConnectionId} of user {UserId}: superseded by a newer one",
                connection.Id, connection.UserId);
            connection.RequestClose(CloseCodes.Superseded, "replaced by a newer connection");
        }
    }
}

/// <summary>System-wide ordering of each user's connections (Redis on every replica).</summary>
public interface IConnectionOwnership
{
    Task<long> NextSequenceAsync(Guid userId, CancellationToken cancellationToken);

    Task AnnounceAsync(Guid userId, long sequence, CancellationToken cancellationToken);
}
