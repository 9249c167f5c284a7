using System.Collections.Concurrent;
using System.Diagnostics;

namespace EndToEnd.Tests.Faults;

public enum Op
{
    Register,
    Login,
    Refresh,
    Patch,
    GetMe,
    Search,
}

/// <summary>
/// One call as the client saw it. <see cref="Status"/> is null when no answer came (connection refused or reset,
/// client timeout; <see cref="Error"/> says which). <see cref="Acknowledged"/> is what a success promised: the user
/// id of a 201 account, the displayName of a 200 PATCH.
/// </summary>
public sealed record Call(Op Op, int Worker, TimeSpan Start, TimeSpan Duration, int? Status, string? Error, bool RetryAfter, string? Acknowledged)
{
    public TimeSpan End => Start + Duration;

    /// <summary>What the fault suite counts as a failed call: no answer, or a 5xx.</summary>
    public bool Failed => Status is null or >= 500;

    public string Outcome => Status?.ToString() ?? Error ?? "no answer";
}

/// <summary>A registration as the client made it: the address, and what each attempt got (a client retries the same address).</summary>
public sealed record Registration(string Email, string DisplayName)
{
    public Guid? AcknowledgedId { get; set; }

    /// <summary>An attempt got no clear answer (no answer, 5xx): the account may or may not exist.</summary>
    public bool Ambiguous { get; set; }

    /// <summary>A retry got 409: an earlier, unacknowledged attempt did create the account.</summary>
    public bool ConflictOnRetry { get; set; }
}

/// <summary>A read that showed something other than the last acknowledged write (or a later unacknowledged one).</summary>
public sealed record StaleRead(int Worker, TimeSpan Start, string Seen, string Expected);

/// <summary>
/// The client ledger: every call of every worker while a fault happens, on one clock that starts with the ledger,
/// plus WebSocket drops and the moments the fault began and ended.
/// </summary>
public sealed class Ledger
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<Call> _calls = new();

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<Call> Calls => _calls;

    public ConcurrentQueue<Registration> Registrations { get; } = new();

    public ConcurrentQueue<StaleRead> StaleReads { get; } = new();

    /// <summary>WebSocket drops (close code, or "dropped") and reconnects, for the report.</summary>
    public ConcurrentQueue<(TimeSpan At, int Worker, string What)> SocketEvents { get; } = new();

    public TimeSpan? FaultStart { get; set; }

    public TimeSpan? FaultEnd { get; set; }

    public void Add(Call call) => _calls.Enqueue(call);

    /// <summary>
    /// Recovered: since the fault ended, every op has succeeded at least once after the last failed call, and the
    /// last <paramref name="quiet"/> of the clock saw no failure.
    /// </summary>
    public bool HasRecovered(TimeSpan quiet)
    {
        if (FaultEnd is not { } end || Now - end < quiet)
        {
            return false;
        }
        var calls = _calls.Where(c => c.End >= end).ToList();
        var lastFailure = calls.Where(c => c.Failed).Select(c => c.End).DefaultIfEmpty(end).Max();
        return Now - lastFailure >= quiet
            && Enum.GetValues<Op>().All(op => calls.Any(c => c.Op == op && !c.Failed && c.Start >= lastFailure));
    }
}
