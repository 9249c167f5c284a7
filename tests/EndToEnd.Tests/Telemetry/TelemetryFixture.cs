namespace EndToEnd.Tests.Telemetry;

/// <summary>
/// The whole system exporting its telemetry to an <see cref="OtlpReceiver"/> the test owns instead of the dashboard
/// (AppHost setting <c>Telemetry:OtlpEndpoint</c>), batching every half second. One replica of each scaled service,
/// so that a trace has one place to go.
/// </summary>
public sealed class TelemetryFixture : DistributedAppFixture
{
    private Task<TelemetryScenario>? _scenario;

    public OtlpReceiver Receiver { get; private set; } = null!;

    /// <summary>The user actions every telemetry test reads the results of; run once, by the first test that asks.</summary>
    public Task<TelemetryScenario> Scenario => _scenario ??= TelemetryScenario.RunAsync(this);

    protected override IEnumerable<string> Settings =>
    [
        .. base.Settings,
        "--Replicas:UserService=1", "--Replicas:RealtimeService=1",
        $"--Telemetry:OtlpEndpoint={Receiver.Endpoint.ToString().TrimEnd('/')}",
        "--Telemetry:ExportIntervalMilliseconds=500",
    ];

    public override async Task InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryFixture>
{
    public const string Name = "telemetry";
}
