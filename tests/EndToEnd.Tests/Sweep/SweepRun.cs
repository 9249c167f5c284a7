using System.Collections.Concurrent;
using System.Text;

namespace EndToEnd.Tests.Sweep;

/// <summary>
/// One seeded sweep: the seed (from <c>SWEEP_SEED</c>, else new each run), what was answered per route and mutation
/// class, what broke the rules (failures) and where a 4xx differed from the status the contract names (deviations).
/// </summary>
public sealed class SweepRun
{
    private readonly ConcurrentDictionary<(string Route, string Class, string Outcome), int> _counts = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<string> _deviations = new();

    public SweepRun()
    {
        var given = Environment.GetEnvironmentVariable("SWEEP_SEED");
        Seed = int.TryParse(given, out var seed) ? seed : Random.Shared.Next();
        Random = new Random(Seed);
    }

    public int Seed { get; }

    public Random Random { get; }

    public int Requests => _counts.Values.Sum();

    public void Count(string route, string kind, string outcome) => _counts.AddOrUpdate((route, kind, outcome), 1, (_, n) => n + 1);

    public void Fail(string route, Mutant mutant, string what) => Fail($"{route} {mutant.Describe()}: {what}");

    public void Fail(string text) => _failures.Enqueue(text);

    public void Deviate(string route, Mutant mutant, string what) => _deviations.Enqueue($"{route} {mutant.Class} ({mutant.Detail}): {what}");

    /// <summary>Outcome counts by route and class, then the deviations: printed with every run for the reader.</summary>
    public string Report()
    {
        var text = new StringBuilder($"sweep seed {Seed} (rerun with SWEEP_SEED={Seed}), {Requests} requests/messages\n");
        foreach (var route in _counts.Keys.Select(k => k.Route).Distinct().Order())
        {
            text.AppendLine(route);
            foreach (var group in _counts.Where(c => c.Key.Route == route).GroupBy(c => c.Key.Class).OrderBy(g => g.Key))
            {
                text.AppendLine($"  {group.Key,-22} " + string.Join(" ", group.OrderBy(c => c.Key.Outcome).Select(c => $"{c.Key.Outcome}×{c.Value}")));
            }
        }
        text.AppendLine($"deviations from the contract's status ({_deviations.Count}):");
        foreach (var deviation in _deviations.Take(60))
        {
            text.AppendLine("  " + deviation);
        }
        return text.ToString();
    }

    /// <summary>Fails, naming the seed, when any answer broke the rules.</summary>
    public void AssertClean()
    {
        Assert.True(_failures.IsEmpty,
            $"{_failures.Count} answers broke the rules; seed {Seed} (rerun with SWEEP_SEED={Seed}):\n" +
            string.Join("\n", _failures.Take(25)) + "\n\n" + Report());
    }
}
