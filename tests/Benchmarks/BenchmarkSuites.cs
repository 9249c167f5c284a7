namespace Benchmarks;

public interface IBenchmarkSuite
{
    string Name { get; }

    string Description { get; }

    Task RunAsync(string[] args);
}

/// <summary>Every suite the runner knows; add yours here.</summary>
public static class BenchmarkSuites
{
    public static IReadOnlyList<IBenchmarkSuite> All { get; } =
    [
        new InfrastructureSuite(),
        new IdentitySuite(),
        new UsersSuite(),
        new RealtimeBenchmark(),
        new RealtimeSoak(),
        new GatewaySuite(),
    ];
}
