using System.Diagnostics;

namespace Benchmarks;

/// <summary>Latency samples of one variant, summarised as the tables print them.</summary>
public sealed class Samples
{
    private readonly List<double> _milliseconds = [];

    public int Count => _milliseconds.Count;

    public void Add(double milliseconds) => _milliseconds.Add(milliseconds);

    public void AddRange(IEnumerable<double> milliseconds) => _milliseconds.AddRange(milliseconds);

    public double Percentile(double p)
    {
        if (_milliseconds.Count == 0)
        {
            return double.NaN;
        }
        var sorted = _milliseconds.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public double Median => Percentile(50);
}

public static class Measure
{
    /// <summary>Elapsed milliseconds of one awaited call.</summary>
    public static async Task<double> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>
    /// Runs every variant once per round, rotating which goes first, so that machine noise falls on
    /// all of them alike (shared/notes/measuring.md). Returns each variant's per-round results.
    /// </summary>
    public static async Task<Dictionary<string, List<T>>> InterleavedAsync<T>(
        int rounds, IReadOnlyList<(string Name, Func<Task<T>> Run)> variants)
    {
        var results = variants.ToDictionary(v => v.Name, _ => new List<T>());
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < variants.Count; i++)
            {
                var variant = variants[(i + round) % variants.Count];
                results[variant.Name].Add(await variant.Run());
            }
        }
        return results;
    }
}

/// <summary>A plain-text table with right-aligned figures.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public Table Add(params object[] cells)
    {
        _rows.Add(cells.Select(c => c switch
        {
            double d => d.ToString(d >= 100 ? "0" : "0.00", System.Globalization.CultureInfo.InvariantCulture),
            _ => c?.ToString() ?? "",
        }).ToArray());
        return this;
    }

    public void Print(TextWriter? writer = null)
    {
        writer ??= Console.Out;
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Select(r => r.Length > i ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        writer.WriteLine("| " + string.Join(" | ", headers.Select((h, i) => h.PadRight(widths[i]))) + " |");
        writer.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in _rows)
        {
            writer.WriteLine("| " + string.Join(" | ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |");
        }
    }
}
