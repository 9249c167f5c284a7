using System.Net;
using AppHost;
using Aspire.Hosting.ApplicationModel;
using static EndToEnd.Tests.Accounts;
using static EndToEnd.Tests.Requests;
using static EndToEnd.Tests.Stores;

namespace EndToEnd.Tests;

/// <summary>
/// A whole AppHost of its own, because these tests really stop Redis and the UserService: the shared
/// app's other tests must not see the outage.
/// </summary>
public sealed class UserOutageFixture : DistributedAppFixture
{
    /// <summary>
    /// One UserService replica: the outage is the whole service being down. (Stopping one of two proxied
    /// replicas through the resource command was seen not to reach a stopped state here; one replica is what
    /// the scenario needs anyway.)
    /// </summary>
    protected override IEnumerable<string> Settings => [.. base.Settings, "--Replicas:UserService=1"];

    /// <summary>The contract's 5 s: what a client waits for a service that is away is what these tests are about.</summary>
    protected override TimeSpan RequestDeadline => ContractDeadline;

    /// <summary>
    /// Stops every replica of the resource (commands address replicas one by one) and waits until each has
    /// exited. On a loaded machine the command itself may report a failure while the process does stop,
    /// so what counts is the state the notifications report; the command is retried a few times.
    /// </summary>
    public async Task StopAsync(string resource)
    {
        foreach (var instance in await ProcessFaults.InstancesAsync(App, resource))
        {
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                await App.ResourceCommands.ExecuteCommandAsync(instance, KnownResourceCommands.StopCommand);
                if (await HasStoppedAsync(instance))
                {
                    break;
                }
                Assert.True(attempt < 3, $"{instance} did not stop (last state: {LastState(instance)})");
            }
        }
    }

    private string? LastState(string instance) =>
        App.ResourceNotifications.TryGetCurrentState(instance, out var current) ? current.Snapshot.State?.Text : null;

    private async Task<bool> HasStoppedAsync(string instance)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var update in App.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (update.ResourceId == instance
                    && update.Snapshot.State?.Text is "Exited" or "Finished" or "Terminated" or "Unknown" or "FailedToStart")
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return false;
    }

    public async Task StartAsync(string resource)
    {
        foreach (var instance in await ProcessFaults.InstancesAsync(App, resource))
        {
            var result = await App.ResourceCommands.ExecuteCommandAsync(instance, KnownResourceCommands.StartCommand);
            Assert.True(result.Success, result.Message);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }
}

[CollectionDefinition(Name)]
public sealed class UserOutageCollection : ICollectionFixture<UserOutageFixture>
{
    public const string Name = "user outages";
}

[Collection(UserOutageCollection.Name)]
public sealed class UserOutageTests(UserOutageFixture fixture)
{
    /// <summary>
    /// Reads go on from PostgreSQL; a PATCH is saved but not acknowledged (503) while Redis cannot replace its cache
    /// entry — a Redis that comes back may hold the older entry (a persisted one, or one a replica that could still
    /// reach it wrote) — and the same PATCH sent again is 200 once Redis is back.
    /// </summary>
    [Fact]
    public async Task WithRedisStoppedReadsSucceedAPatchIs503UntilTheCacheCanShowItAndTheCacheRecovers()
    {
        var user = await CreateAsync(fixture.Gateway, "Before The Outage");
        var other = await ProvisionAsync(fixture, "Someone Else");
        using var users = fixture.App.CreateHttpClient(ResourceNames.UserService, "http");

        await fixture.StopAsync(ResourceNames.Redis);
        try
        {
            var own = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
            var patched = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { displayName = "During The Outage" }));
            var afterWrite = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
            var otherProfile = await fixture.Gateway.GetAsync($"/api/users/{other}");
            var search = await fixture.Gateway.GetAsync("/api/users?search=outage");
            var health = await users.GetAsync("/health");

            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            await Problems.ExpectAsync(patched, HttpStatusCode.ServiceUnavailable);
            Assert.True(patched.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "503 without Retry-After");
            // Saved all the same (a 503 promises nothing either way), and read from PostgreSQL.
            Assert.Equal("During The Outage", (await afterWrite.JsonAsync()).GetProperty("displayName").GetString());
            Assert.Equal(HttpStatusCode.OK, otherProfile.StatusCode);
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);
            Assert.Equal(1, (await search.JsonAsync()).GetProperty("total").GetInt32());
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());
        }
        finally
        {
            await fixture.StartAsync(ResourceNames.Redis);
        }

        // The same PATCH, repeated as Retry-After says, is acknowledged once Redis takes the entry.
        var repeated = await Poll.UntilAsync(
            () => fixture.Gateway.SendAsync(Authorized(HttpMethod.Patch, "/api/users/me", user, new { displayName = "During The Outage" })),
            response => response.StatusCode != HttpStatusCode.ServiceUnavailable, what: "the repeated PATCH's status");
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);

        // The service reconnects by itself: reads fill Redis again and readiness is Healthy again.
        using var redis = await RedisAsync(fixture);
        await Poll.UntilAsync(async () =>
        {
            await fixture.Gateway.GetAsync($"/api/users/{user.Id}");
            return await redis.GetDatabase().KeyExistsAsync($"user:{user.Id}");
        });
        await Poll.UntilAsync(async () => await (await users.GetAsync("/health")).Content.ReadAsStringAsync() == "Healthy");
        var cached = System.Text.Json.JsonDocument.Parse((await redis.GetDatabase().StringGetAsync($"user:{user.Id}")).ToString());
        Assert.Equal("During The Outage", cached.RootElement.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task ARegistrationWhileUserServiceIsDownIs503AndTheSameRegistrationGets201OnceItIsBack()
    {
        using var direct = fixture.App.CreateHttpClient(ResourceNames.UserService, "http");
        direct.Timeout = TimeSpan.FromSeconds(5);
        var email = UniqueEmail();
        var registration = new { email, password = Password, displayName = "Registered While Down" };
        var earlier = await CreateAsync(fixture.Gateway, "Registered Before");
        await fixture.StopAsync(ResourceNames.UserService);
        try
        {
            // The outage is real: nothing answers on the service's address.
            await Assert.ThrowsAnyAsync<Exception>(() => direct.GetAsync("/alive"));
            // No profile, no 201 (contract §2): 503 + Retry-After; the account is kept and the outbox keeps delivering.
            using var whileDown = await PostJsonAsync(fixture.Gateway, "/api/auth/register", registration);
            await Problems.ExpectAsync(whileDown, HttpStatusCode.ServiceUnavailable);
            Assert.True(whileDown.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "503 without Retry-After");
            // The gateway cannot reach the service: 503 + Retry-After in the problem shape (YARP's own answer was 502).
            using var unreachable = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", earlier));
            await Problems.ExpectAsync(unreachable, HttpStatusCode.ServiceUnavailable);
            Assert.True(unreachable.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "503 without Retry-After");
        }
        finally
        {
            await fixture.StartAsync(ResourceNames.UserService);
        }

        // The client retries the same registration: 201 once the profile exists, never 409.
        HttpResponseMessage? registered = null;
        await Poll.UntilAsync(async () =>
        {
            registered = await PostJsonAsync(fixture.Gateway, "/api/auth/register", registration);
            Assert.True(registered.StatusCode is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"a repeated registration answered {registered.StatusCode}");
            return registered.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromMinutes(2), "the repeated registration's 201");
        var user = new TestUser((await registered!.JsonAsync()).GetProperty("userId").GetGuid(), email, "Registered While Down",
            await LoginAsync(fixture.Gateway, email));

        HttpResponseMessage? response = null;
        await Poll.UntilAsync(async () =>
        {
            response = await fixture.Gateway.SendAsync(Authorized(HttpMethod.Get, "/api/users/me", user));
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromMinutes(2));
        var profile = await response!.JsonAsync();
        Assert.Equal(user.Email, profile.GetProperty("email").GetString());
        Assert.Equal("Registered While Down", profile.GetProperty("displayName").GetString());
    }
}
