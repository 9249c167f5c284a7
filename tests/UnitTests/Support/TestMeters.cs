using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace UnitTests.Support;

/// <summary>
/// The real meter factory, for the services' metrics classes. <see cref="Factory"/> is shared: its instruments
/// record into meters nobody listens to. A test that reads what was recorded takes its own with
/// <see cref="NewFactory"/> and a <c>MetricCollector</c> scoped to it, so tests running at the same time do not mix.
/// </summary>
internal static class TestMeters
{
    public static IMeterFactory Factory { get; } = NewFactory();

    public static IMeterFactory NewFactory() => new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
}
