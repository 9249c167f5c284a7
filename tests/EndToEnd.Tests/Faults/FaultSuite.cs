using AppHost;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Faults;

/// <summary>
/// A fault, as the suite injects it into one instance of <see cref="Resource"/> (found before the ledger starts).
/// <see cref="Inject"/> causes it and returns how to repair it (thaw, start the killed server again), run after
/// <see cref="Window"/>; a fault without a repair (a replica killed) lasts while the ledger runs, and the system must
/// recover without it; <see cref="Restore"/> then brings the replica back for the next fault.
/// <see cref="ClientsMayLoseCalls"/>: the fault is the process the clients talk to (a gateway replica), so calls in
/// flight on it get no answer.
/// </summary>
public sealed record Fault(string Name, string Resource, TimeSpan Window, Func<string, Task<Func<Task>?>> Inject,
    Func<string, Task>? Restore = null, bool ClientsMayLoseCalls = false);

/// <summary>
/// The fault-injection suite (issue 10, item 4): real processes of an AppHost of its own, a client ledger through
/// both gateways while each fault happens, then what was acknowledged is checked (see <see cref="FaultRun"/>).
/// One fault per test, one after another on the same AppHost; each starts only when every resource is healthy.
/// Times go to the test output and, with <c>FAULTS_REPORT=path</c>, to a markdown table (BENCHMARKS.md, Faults).
/// </summary>
public sealed class FaultSuite(FaultsFixture fixture, ITestOutputHelper output) : IClassFixture<FaultsFixture>
{
    /// <summary>Contract §1: a dependency that does not answer gives 503 within 5 s; the margin is the client's own time on a busy machine.</summary>
    public static readonly TimeSpan Deadline = DistributedAppFixture.ContractDeadline + TimeSpan.FromSeconds(1);

    /// <summary>A freeze outlasts the deadline, so that a call waiting on the frozen server must be answered by the deadline.</summary>
    private static readonly TimeSpan FreezeWindow = TimeSpan.FromSeconds(7);

    /// <summary>How long a killed server stays down before it is started again.</summary>
    private static readonly TimeSpan DownWindow = TimeSpan.FromSeconds(4);

    private DistributedApplication App => fixture.App;

    [Fact]
    public Task RedisFrozenThenThawed() =>
        RunAsync(new Fault("Redis frozen (SIGSTOP) 7 s, then thawed", ResourceNames.Redis, FreezeWindow, FreezeAsync));

    [Fact]
    public Task RedisKilledThenStarted() =>
        RunAsync(new Fault("Redis killed (SIGKILL), started again after 4 s", ResourceNames.Redis, DownWindow, KillThenStartAsync));

    [Fact]
    public Task PostgresFrozenThenThawed() =>
        RunAsync(new Fault("PostgreSQL frozen (postmaster and backends, SIGSTOP) 7 s, then thawed", ResourceNames.Postgres, FreezeWindow, FreezeAsync));

    [Fact]
    public Task PostgresKilledThenStarted() =>
        RunAsync(new Fault("PostgreSQL killed (SIGKILL to postmaster and backends), started again after 4 s", ResourceNames.Postgres, DownWindow,
            KillThenStartAsync));

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

    /// <summary>The replica stays dead while the ledger runs (the fault ends when it is killed); it is started again afterwards.</summary>
    private Task RunReplicaKilledAsync(string resource, string name, bool clientsMayLoseCalls = false) =>
        RunAsync(new Fault(name, resource, TimeSpan.Zero, async instance =>
            {
                await KillAsync(instance);
                return null;
            },
            Restore: instance => ProcessFaults.StartInstanceAsync(App, instance), ClientsMayLoseCalls: clientsMayLoseCalls));

    /// <summary>Freezes the instance's process and its children; the repair thaws them.</summary>
    private Task<Func<Task>?> FreezeAsync(string instance)
    {
        var frozen = ProcessFaults.Freeze(ProcessFaults.InstancePid(App, instance));
        return Task.FromResult<Func<Task>?>(() =>
        {
            frozen.Dispose();
            return Task.CompletedTask;
        });
    }

    /// <summary>Kills the instance's process tree; the repair runs its start command (recovery is then the system's job).</summary>
    private async Task<Func<Task>?> KillThenStartAsync(string instance)
    {
        await KillAsync(instance);
        return () => ProcessFaults.RunStartCommandAsync(App, instance);
    }

    private async Task KillAsync(string instance)
    {
        ProcessFaults.KillTree(ProcessFaults.InstancePid(App, instance));
        await ProcessFaults.WaitUntilStoppedAsync(App, instance);
    }

    private Task RunAsync(Fault fault) => new FaultRun(fixture, output.WriteLine).RunAsync(fault);
}
