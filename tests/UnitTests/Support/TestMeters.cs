using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace UnitTests.Support;

/// <summary>
/// The real meter factory and a scope factory over an empty container, for the services' metrics classes: their
/// instruments record into meters nobody listens to, and observable gauges are never read.
/// </summary>
internal static class TestMeters
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public static IMeterFactory Factory => Services.GetRequiredService<IMeterFactory>();

    public static IServiceScopeFactory Scopes => Services.GetRequiredService<IServiceScopeFactory>();
}
