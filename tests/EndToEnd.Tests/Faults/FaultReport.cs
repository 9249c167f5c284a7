namespace EndToEnd.Tests.Faults;

/// <summary>
/// The times of one fault as the ledger saw them, for the test output and for BENCHMARKS.md's Faults table: with
/// <c>FAULTS_REPORT=path</c> set, each fault appends one markdown row to that file (the header first, when the file
/// is new). Figures only; the tests assert correctness, never times.
/// </summary>
public sealed record FaultReport(string Fault, Ledger Ledger)
{
    public const string Header =
        "| fault | calls | first error after the fault began | last error after the fault ended | max latency | calls over the deadline | statuses seen (count) | WebSocket closes / moves |\n" +
        "|---|---:|---:|---:|---:|---:|---|---|";

    public string Row()
    {
        var calls = Ledger.Calls.ToList();
        var start = Ledger.FaultStart ?? TimeSpan.Zero;
        var end = Ledger.FaultEnd ?? start;
        var firstError = calls.Where(c => c.Failed && c.End >= start).Select(c => c.Start > start ? c.Start - start : TimeSpan.Zero).DefaultIfEmpty(TimeSpan.MinValue).Min();
        var lastError = calls.Where(c => c.Failed && c.End >= end).Select(c => c.End - end).DefaultIfEmpty(TimeSpan.MinValue).Max();
        var statuses = string.Join(", ", calls.GroupBy(c => c.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} ×{g.Count()}"));
        var closes = Ledger.SocketEvents.Count(e => e.What.StartsWith("closed", StringComparison.Ordinal) && !e.What.EndsWith("by the client", StringComparison.Ordinal));
        var moves = Ledger.SocketEvents.Count(e => e.What.StartsWith("moved", StringComparison.Ordinal));
        return $"| {Fault} | {calls.Count} | {Seconds(firstError)} | {Seconds(lastError)} | {calls.Max(c => c.Duration).TotalSeconds:F2} s " +
            $"| {calls.Count(c => c.Duration > FaultSuite.Deadline)} | {statuses} | {closes} / {moves} |";
    }

    /// <summary>The calls that failed, one line each, for the test output.</summary>
    public IEnumerable<string> Failures() =>
        Ledger.Calls.Where(c => c.Failed || c.Duration > FaultSuite.Deadline).OrderBy(c => c.Start).Take(40)
            .Select(c => $"  {c.Start.TotalSeconds,7:F2} s  {c.Op,-8} worker {c.Worker}  {c.Outcome}{(c.RetryAfter ? " (Retry-After)" : "")}  {c.Duration.TotalMilliseconds:F0} ms");

    public void Write(Action<string> output)
    {
        output($"{Fault}: began at {Ledger.FaultStart?.TotalSeconds:F2} s, ended at {Ledger.FaultEnd?.TotalSeconds:F2} s of the ledger's clock");
        output(Header);
        output(Row());
        foreach (var line in Failures())
        {
            output(line);
        }
        foreach (var (at, worker, what) in Ledger.SocketEvents.Take(40))
        {
            output($"  {at.TotalSeconds,7:F2} s  worker {worker}: {what}");
        }
        if (Environment.GetEnvironmentVariable("FAULTS_REPORT") is { Length: > 0 } path)
        {
            var isNew = !File.Exists(path) || new FileInfo(path).Length == 0;
            File.AppendAllText(path, (isNew ? Header + "\n" : "") + Row() + "\n");
        }
    }

    private static string Seconds(TimeSpan value) => value == TimeSpan.MinValue ? "none" : $"{value.TotalSeconds:F2} s";
}
