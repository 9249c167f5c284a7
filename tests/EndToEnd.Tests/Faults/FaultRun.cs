using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AppHost;

namespace EndToEnd.Tests.Faults;

/// <summary>
/// One fault under a running client ledger: fresh users, each with a worker and a WebSocket, and a registration
/// worker; a quiet start, the fault, its repair, then the ledger runs on until the system has recovered (bounded).
/// Then it checks what a user would notice: no 500 (every 5xx a 503 with Retry-After), no call past the deadline,
/// no answer lost except where the fault was the gateway itself, no stale read, every acknowledged write there
/// (each 201 account logs in and has its profile, no second account for one address, each user's profile shows
/// the last acknowledged PATCH) and every user's socket, reconnected if it dropped, receiving its profile events.
/// </summary>
public sealed class FaultRun(DistributedAppFixture fixture, Action<string> output)
{
    private const int Users = 4;
    private static readonly TimeSpan QuietStart = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RecoveryQuiet = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(40);
    /// <summary>The ledger runs at least this long after the fault began, also when it ends at once (a replica killed).</summary>
    private static readonly TimeSpan MinimumRun = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public async Task RunAsync(Fault fault)
    {
        await WaitUntilEverythingIsHealthyAsync();
        var instance = (await ProcessFaults.InstancesAsync(fixture.App, fault.Resource)).Order(StringComparer.Ordinal).First();
        var users = new List<TestUser>();
        for (var i = 0; i < Users; i++)
        {
            users.Add(await CreateUserAsync()); // one at a time: Argon2 on two busy cores
        }

        var ledger = new Ledger();
        using var gateways = new GatewayPair(fixture);
        var workers = users.Select((user, i) => new UserWorker(i, ledger, gateways, user)).ToList();
        var registrations = new RegistrationWorker(Users, ledger, gateways);
        using var stopCalls = new CancellationTokenSource();
        using var stopSockets = new CancellationTokenSource();
        var sockets = workers.Select(w => Task.Run(() => w.RunSocketAsync(stopSockets.Token))).ToList();
        await Poll.UntilAsync(() => Task.FromResult(workers.All(w => w.SocketConnected)), Patience, "every user's WebSocket to connect");
        var calls = workers.Select(w => Task.Run(() => w.RunAsync(stopCalls.Token)))
            .Append(Task.Run(() => registrations.RunAsync(stopCalls.Token))).ToList();

        var problems = new List<string>();
        try
        {
            await Task.Delay(QuietStart);
            await InjectAsync(fault, instance, ledger);
            var recovered = await Poll.UntilAsync(() => Task.FromResult(ledger.HasRecovered(RecoveryQuiet) && ledger.Now - ledger.FaultStart >= MinimumRun),
                done => done, RecoveryBound, failAtDeadline: false);
            if (!recovered)
            {
                problems.Add($"calls did not all succeed again within {RecoveryBound} after the fault ended");
            }
            stopCalls.Cancel();
            await Task.WhenAll(calls);
            new FaultReport(fault.Name, ledger).Write(output);

            problems.AddRange(CheckCalls(ledger, fault));
            problems.AddRange(await CheckEventsStillArriveAsync(workers));
            problems.AddRange(await CheckUsersAsync(workers));
            problems.AddRange(await CheckRegistrationsAsync(ledger.Registrations.ToList()));
        }
        finally
        {
            stopCalls.Cancel();
            stopSockets.Cancel();
            await Task.WhenAll(calls.Concat(sockets));
            if (fault.Restore is not null)
            {
                await fault.Restore(instance);
            }
        }
        Assert.True(problems.Count == 0, $"{fault.Name}:\n" + string.Join("\n", problems));
    }

    private static async Task InjectAsync(Fault fault, string instance, Ledger ledger)
    {
        ledger.FaultStart = ledger.Now;
        var repair = await fault.Inject(instance);
        if (repair is not null)
        {
            await Task.Delay(fault.Window);
            await repair();
        }
        ledger.FaultEnd = ledger.Now;
    }

    /// <summary>
    /// A ledger user, made before the fault. Setting up is not what is measured: an attempt that fails (the first
    /// registrations after start-up can be slow) is repeated with a new address, within a bound (10 attempts).
    /// </summary>
    private async Task<TestUser> CreateUserAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var email = Accounts.UniqueEmail("ledger");
            var displayName = Accounts.Unique("User");
            using var registered = await Requests.PostJsonAsync(fixture.Gateway, "/api/auth/register",
                new { email, password = Accounts.Password, displayName });
            if (registered.StatusCode == HttpStatusCode.Created || attempt == 10)
            {
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
                var id = (await registered.JsonAsync()).GetProperty("userId").GetGuid();
                return new TestUser(id, email, displayName, await Accounts.LoginAsync(fixture.Gateway, email));
            }
            output($"setting up: a registration answered {(int)registered.StatusCode}; trying again");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task WaitUntilEverythingIsHealthyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var resources = ResourceNames.All.Concat(Enumerable.Range(1, DistributedAppFixture.GatewayReplicas - 1).Select(ResourceNames.GatewayReplica));
        foreach (var resource in resources)
        {
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
    }

    private static IEnumerable<string> CheckCalls(Ledger ledger, Fault fault)
    {
        foreach (var call in ledger.Calls.OrderBy(c => c.Start))
        {
            if (call.Status is >= 500 && (call.Status != 503 || !call.RetryAfter))
            {
                yield return $"{call.Op} at {call.Start.TotalSeconds:F2} s answered {call.Status}{(call.RetryAfter ? "" : " without Retry-After")} (contract §1: 503 + Retry-After)";
            }
            if (call.Status == 404 && call.Op is Op.Patch or Op.GetMe)
            {
                yield return $"{call.Op} at {call.Start.TotalSeconds:F2} s answered 404: the profile of a registered (201) account was missing";
            }
            else if (call.Status is >= 400 and < 500 && call.Status is not (401 or 429) && !(call.Status == 409 && call.Op == Op.Register))
            {
                // The ledger sends only valid requests: a refusal blames the client for the server's trouble.
                yield return $"{call.Op} at {call.Start.TotalSeconds:F2} s answered {call.Status} after {call.Duration.TotalSeconds:F2} s to a valid request";
            }
            if (call.Status is null && !fault.ClientsMayLoseCalls)
            {
                yield return $"{call.Op} at {call.Start.TotalSeconds:F2} s got no answer ({call.Error}) after {call.Duration.TotalSeconds:F2} s";
            }
            if (call.Duration > FaultSuite.Deadline)
            {
                yield return $"{call.Op} at {call.Start.TotalSeconds:F2} s took {call.Duration.TotalSeconds:F2} s (deadline {FaultSuite.Deadline.TotalSeconds} s with the margin)";
            }
        }
        foreach (var stale in ledger.StaleReads)
        {
            yield return $"worker {stale.Worker}: GET /api/users/me at {stale.Start.TotalSeconds:F2} s showed '{stale.Seen}', acknowledged was '{stale.Expected}'";
        }
    }

    /// <summary>After recovery each user's socket (reconnected if it dropped) gets the event of a new PATCH.</summary>
    private static async Task<IEnumerable<string>> CheckEventsStillArriveAsync(IReadOnlyList<UserWorker> workers)
    {
        var problems = new List<string>();
        var connected = await Poll.UntilAsync(() => Task.FromResult(workers.All(w => w.SocketConnected)), all => all, Patience, failAtDeadline: false);
        if (!connected)
        {
            problems.Add($"not every WebSocket was connected again within {Patience}");
        }
        await Task.Delay(TimeSpan.FromSeconds(1)); // events of the ledger's last PATCHes arrive before counting
        foreach (var worker in workers)
        {
            var before = worker.Events;
            var patch = await WhileUnavailableAsync(worker.PatchAsync);
            if (patch.Status != 200)
            {
                problems.Add($"user {worker.User.Id}: PATCH after recovery answered {patch.Outcome}");
                continue;
            }
            if (!await Poll.UntilAsync(() => Task.FromResult(worker.Events > before), arrived => arrived, Patience, failAtDeadline: false))
            {
                problems.Add($"user {worker.User.Id}: no data_update within {Patience} of a PATCH after recovery");
            }
        }
        return problems;
    }

    /// <summary>
    /// The checks read what was stored, not whether the system is up (recovery is checked on its own): an honest
    /// 503 (or no answer) is asked again, as its Retry-After says, within a bound.
    /// </summary>
    private static Task<Exchange> WhileUnavailableAsync(Func<Task<Exchange>> call) =>
        Poll.UntilAsync(call, exchange => exchange.Status is not (null or 503), Patience, failAtDeadline: false);

    /// <summary>Each user's profile shows the last acknowledged PATCH (the check's own PATCH, acknowledged last).</summary>
    private static async Task<IEnumerable<string>> CheckUsersAsync(IReadOnlyList<UserWorker> workers)
    {
        var problems = new List<string>();
        foreach (var worker in workers)
        {
            var read = await WhileUnavailableAsync(worker.GetMeAsync);
            var seen = read.Body?.GetProperty("displayName").GetString();
            if (read.Status != 200 || seen is null || !worker.Acceptable.Contains(seen))
            {
                problems.Add($"user {worker.User.Id}: GET /api/users/me answered {read.Outcome} '{seen}', acknowledged '{worker.LastAcknowledged}'");
            }
        }
        return problems;
    }

    /// <summary>
    /// Every 201 account (and every address whose retry got 409 after an unanswered attempt) logs in and has its
    /// profile; no address has two accounts, and a 201's id is the stored account's.
    /// </summary>
    private async Task<IEnumerable<string>> CheckRegistrationsAsync(IReadOnlyList<Registration> registrations)
    {
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var stored = await StoredAccountsAsync(registrations.Select(r => r.Email.ToLowerInvariant()).ToArray());
        foreach (var registration in registrations)
        {
            var accounts = stored.GetValueOrDefault(registration.Email.ToLowerInvariant()) ?? [];
            if (accounts.Count > 1)
            {
                problems.Enqueue($"{registration.Email}: {accounts.Count} accounts");
            }
            if (registration.AcknowledgedId is { } id && !accounts.SequenceEqual([id]))
            {
                problems.Enqueue($"{registration.Email}: 201 with id {id}, stored: [{string.Join(", ", accounts)}]");
            }
        }
        await Parallel.ForEachAsync(registrations.Where(r => r.AcknowledgedId is not null || r.ConflictOnRetry), new ParallelOptions { MaxDegreeOfParallelism = 3 },
            async (registration, _) =>
            {
                if (await LogsInWithProfileAsync(registration) is { } problem)
                {
                    problems.Enqueue($"{registration.Email} (acknowledged {(registration.AcknowledgedId is null ? "by a 409 on retry" : "201")}): {problem}");
                }
            });
        return problems;
    }

    private async Task<string?> LogsInWithProfileAsync(Registration registration)
    {
        var login = await Poll.UntilAsync(() => Requests.PostJsonAsync(fixture.Gateway, "/api/auth/login", new { email = registration.Email, password = Accounts.Password }),
            response => response.StatusCode != HttpStatusCode.ServiceUnavailable, Patience, failAtDeadline: false);
        if (login.StatusCode != HttpStatusCode.OK)
        {
            return $"login answered {(int)login.StatusCode}";
        }
        var tokens = await Tokens.ReadAsync(login);
        // A 201 promises the profile at once; an account whose answer was lost may still be provisioning (outbox).
        var me = await Poll.UntilAsync(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me").WithBearer(tokens.AccessToken);
                using var response = await fixture.Gateway.SendAsync(request);
                return (response.StatusCode, Body: response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default);
            },
            read => read.StatusCode == HttpStatusCode.OK || (registration.AcknowledgedId is not null && read.StatusCode != HttpStatusCode.ServiceUnavailable),
            Patience, failAtDeadline: false);
        if (me.StatusCode != HttpStatusCode.OK)
        {
            return $"GET /api/users/me answered {(int)me.StatusCode}";
        }
        var (email, name) = (me.Body.GetProperty("email").GetString(), me.Body.GetProperty("displayName").GetString());
        return string.Equals(email, registration.Email, StringComparison.OrdinalIgnoreCase) && name == registration.DisplayName
            && (registration.AcknowledgedId is null || tokens.UserId == registration.AcknowledgedId)
            ? null
            : $"profile {email} '{name}' (user {tokens.UserId}), registered {registration.Email} '{registration.DisplayName}' ({registration.AcknowledgedId})";
    }

    private async Task<Dictionary<string, List<Guid>>> StoredAccountsAsync(string[] emails)
    {
        // The test's own pooled connections may predate a PostgreSQL that was killed and started again.
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var db = await Stores.IdentityDbAsync(fixture);
        await using var query = new Npgsql.NpgsqlCommand("SELECT lower(email), id FROM accounts WHERE lower(email) = ANY(@emails)", db);
        query.Parameters.AddWithValue("emails", emails);
        var accounts = new Dictionary<string, List<Guid>>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            (accounts.TryGetValue(reader.GetString(0), out var ids) ? ids : accounts[reader.GetString(0)] = []).Add(reader.GetGuid(1));
        }
        return accounts;
    }
}
