using Benchmarks;

// One runner for every benchmark in the repository:
//   dotnet run -c Release --project tests/Benchmarks -- <suite> [options]
// Each suite prints a table of figures measured side by side in one run; nothing passes or fails.
var suites = BenchmarkSuites.All.ToDictionary(suite => suite.Name, StringComparer.OrdinalIgnoreCase);

if (args.Length == 0 || !suites.TryGetValue(args[0], out var selected))
{
    Console.WriteLine("usage: dotnet run -c Release --project tests/Benchmarks -- <suite> [options]");
    Console.WriteLine();
    foreach (var suite in suites.Values)
    {
        Console.WriteLine($"  {suite.Name,-12} {suite.Description}");
    }
    return args.Length == 0 ? 0 : 2;
}

await selected.RunAsync(args[1..]);
return 0;
