namespace Gateway.Domain;

/// <summary>The answer to a lease request: how many permits were granted (0 = refused) and what the headers need.</summary>
/// <param name="Granted">Permits granted to this replica, to spend locally; 0 when the window is full.</param>
/// <param name="UsedBefore">Permits counted in the window before this grant.</param>
/// <param name="NextFreeInMs">Time until the oldest counted permit leaves the window (the quota grows again).</param>
/// <param name="Member">The log entry of this grant, to hand unspent permits back with the next request.</param>
public readonly record struct LeaseGrant(int Granted, long UsedBefore, long NextFreeInMs, string? Member);

/// <summary>What a replica asks for: up to <paramref name="Desired"/> permits, handing back <paramref name="Returned"/>
/// unspent ones of its lapsed lease <paramref name="ReturnedMember"/>.</summary>
public readonly record struct LeaseRequest(long Limit, long WindowMs, long LeaseLifetimeMs, int Desired, string Id, string? ReturnedMember = null, int Returned = 0);

/// <summary>
/// A sliding-window log of leases for one key — the algorithm the Redis script runs, in memory (the per-replica
/// fallback, and the model the unit tests check). Each entry is a number of permits and the time they leave the
/// window: one <c>window</c> after the grant, plus the lease lifetime when the lease holds more than one permit
/// (its permits may be spent until then). A grant is made only while fewer than <c>limit</c> permits are in the
/// window, so at no moment, and in no window of that length, are more than <c>limit</c> permits spent.
/// A lease takes at most 1/<see cref="ShareDivisor"/> of what is left, so near the ceiling every replica is back
/// to one permit per request and no replica sits on permits another needs.
/// </summary>
public sealed class SlidingWindowLog
{
    public const int ShareDivisor = 16;

    private readonly List<Entry> _entries = [];

    public bool IsEmpty(long nowMs)
    {
        Expire(nowMs);
        return _entries.Count == 0;
    }

    public LeaseGrant Lease(long nowMs, LeaseRequest request)
    {
        Expire(nowMs);
        if (request.Returned > 0 && _entries.FindIndex(e => e.Member == request.ReturnedMember) is var index and >= 0)
        {
            var old = _entries[index];
            _entries.RemoveAt(index);
            if (old.Count - request.Returned > 0)
            {
                Insert(new Entry(old.FreeAtMs, old.Count - request.Returned, $"{old.Count - request.Returned}:{request.Id}r"));
            }
        }
        var used = _entries.Sum(e => (long)e.Count);
        var available = request.Limit - used;
        if (available > 0)
        {
            var granted = (int)Math.Min(request.Desired, Math.Max(1, available / ShareDivisor));
            var freeAt = nowMs + request.WindowMs + (granted > 1 ? request.LeaseLifetimeMs : 0);
            var member = $"{granted}:{request.Id}";
            Insert(new Entry(freeAt, granted, member));
            return new LeaseGrant(granted, used, _entries[0].FreeAtMs - nowMs, member);
        }
        // Refused: the wait is until enough of the oldest permits have left for one to be free.
        var excess = used - request.Limit + 1;
        foreach (var entry in _entries)
        {
            excess -= entry.Count;
            if (excess <= 0)
            {
                return new LeaseGrant(0, used, entry.FreeAtMs - nowMs, null);
            }
        }
        return new LeaseGrant(0, used, request.WindowMs, null);
    }

    private void Expire(long nowMs) => _entries.RemoveAll(e => e.FreeAtMs <= nowMs);

    private void Insert(Entry entry)
    {
        var at = _entries.FindIndex(e => e.FreeAtMs > entry.FreeAtMs);
        _entries.Insert(at < 0 ? _entries.Count : at, entry);
    }

    private sealed record Entry(long FreeAtMs, int Count, string Member);
}
