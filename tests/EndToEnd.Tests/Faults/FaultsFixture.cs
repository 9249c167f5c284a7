namespace EndToEnd.Tests.Faults;

/// <summary>
/// The fault suite's own AppHost (its faults would disturb the shared one): two replicas of every service —
/// gateway, identity, user, realtime — so that killing one replica leaves the other to serve; and the contract's
/// request deadline (5 s), which the suite holds every call to.
/// </summary>
public sealed class FaultsFixture : DistributedAppFixture
{
    protected override TimeSpan RequestDeadline => ContractDeadline;

    protected override IEnumerable<string> Settings => [.. base.Settings, "--Replicas:IdentityService=2"];
}
