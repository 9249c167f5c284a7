using AppHost;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Faults;

/// <summary>
/// A fault, as the suite injects it. <see cref="Inject"/> causes it and returns how to repair it (thaw, start the
/// killed server again), run after the fault window; a fault without a repair (a replica killed) lasts while the
/// ledger runs, and the system must recover without it; <see cref="Restore"/> then brings the replica back for
/// the next fault. <see cref="ClientsMayLoseCalls"/>: the fault is the process the clients talk to (a gateway
/// replica), so calls in flight on it get no answer.
/// </summary>
public sealed record Fault(string Name, Func<Task<Func<Task>?>> Inject, Func<Task>? Restore = null, bool ClientsMayLoseCalls = false);

/// <summary>
/// The fault-injection suite (issue 10, item 4): real processes of an AppHost of its own, a client ledger through
/// both gateways while each fault happens, then what was acknowledged is checked (see <see cref="FaultRun"/>).
/// One fault per test, one after another on the same AppHost; each starts only when every resource is healthy.
/// Times go to the test output and, with <c>FAULTS_REPORT=path</c>, to a markdown table (BENCHMARKS.md, Faults).
/// </summary>
public sealed class FaultSuite(FaultsFixture fixture, ITestOutputHelper output) : IClassFixture<FaultsFixture>
{
    /// <summary>Contract §1: a dependency that does not answer gives 503 within 5 s; the margin is the client's own time on a busy machine.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(1);

    /// <summary>How long a repairable fault lasts.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    private DistributedApplication App => fixture.App;

    [Fact]
    public Task RedisFrozenThenThawed() => RunAsync(new Fault("Redis frozen (SIGSTOP) 4 s, then thawed", () =>
        FreezeAsync(ResourceNames.Redis)));

    [Fact]
    public Task RedisKilledThenStarted() => RunAsync(new Fault("Redis killed (SIGKILL), started again after 4 s", async () =>
        await KillAsync(await InstanceAsync(ResourceNames.Redis), startAgain: true)));

    [Fact]
    public Task PostgresFrozenThenThawed() => RunAsync(new Fault("PostgreSQL frozen (postmaster and backends, SIGSTOP) 4 s, then thawed", () =>
        FreezeAsync(ResourceNames.Postgres)));

    [Fact]
    public Task PostgresKilledThenStarted() => RunAsync(new Fault("PostgreSQL killed (SIGKILL to postmaster and backends), started again after 4 s", async () =>
        await KillAsync(await InstanceAsync(ResourceNames.Postgres), startAgain: true)));

    [Fact]
    public Task UserServiceReplicaKilled() => RunReplicaKilledAsync(ResourceNames.UserService, "a UserService replica killed");

    [Fact]
    public Task IdentityServiceReplicaKilledDuringRegistrations() =>
        RunReplicaKilledAsync(ResourceNames.IdentityService, "an IdentityService replica killed during registrations");

    [Fact]
    public Task GatewayReplicaKilled() =>
        RunReplicaKilledAsync(ResourceNames.GatewayReplica(1), "a gateway replica killed (clients move to the other)", clientsMayLoseCalls: true);

    [Fact]
    public Task RealtimeServiceReplicaKilled() =>
        RunReplicaKilledAsync(ResourceNames.RealtimeService, "a RealtimeService replica killed (sockets reconnect)");

    private Task RunReplicaKilledAsync(string resource, string name, bool clientsMayLoseCalls = false)
    {
        string? killed = null;
        return RunAsync(new Fault(name, async () =>
            {
                killed = await InstanceAsync(resource);
                return await KillAsync(killed, startAgain: false);
            },
            Restore: () => ProcessFaults.StartAsync(App, killed!), ClientsMayLoseCalls: clientsMayLoseCalls));
    }

    /// <summary>Freezes the resource's process tree; the repair thaws it.</summary>
    private async Task<Func<Task>?> FreezeAsync(string resource)
    {
        var stopped = ProcessFaults.Freeze(ProcessFaults.Pid(App, await InstanceAsync(resource)));
        return () =>
        {
            ProcessFaults.Continue(stopped);
            return Task.CompletedTask;
        };
    }

    /// <summary>Kills an instance's process tree; the repair, if asked for, starts it again.</summary>
    private async Task<Func<Task>?> KillAsync(string instance, bool startAgain)
    {
        ProcessFaults.Kill(ProcessFaults.Pid(App, instance));
        await ProcessFaults.WaitUntilStoppedAsync(App, instance);
        return startAgain ? () => ProcessFaults.StartAsync(App, instance) : null;
    }

    /// <summary>The first instance of a resource (of a replicated one, the one to kill).</summary>
    private async Task<string> InstanceAsync(string resource) => (await ProcessFaults.InstanceIdsAsync(App, resource))[0];

    private Task RunAsync(Fault fault) => new FaultRun(fixture, output.WriteLine).RunAsync(fault);
}
