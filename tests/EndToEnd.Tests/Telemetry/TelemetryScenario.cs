using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AppHost;

namespace EndToEnd.Tests.Telemetry;

/// <summary>
/// What a user does once, through the gateway, so that every instrument of contract §6 moves and a profile change
/// travels from the gateway to a WebSocket: register, log in (and fail once), refresh, open a socket, change the
/// profile, run an encryption session (and have one JWE rejected), hit the auth rate limit, close the socket.
/// It keeps every secret it sent or received, to search the exported telemetry for them.
/// </summary>
public sealed class TelemetryScenario
{
    private TelemetryScenario(IReadOnlyList<string> secrets, IReadOnlyList<Guid> userIds) => (Secrets, UserIds) = (secrets, userIds);

    /// <summary>Passwords, tokens and keys this run handled (each long enough to be unambiguous).</summary>
    public IReadOnlyList<string> Secrets { get; }

    /// <summary>The users this run made: an unbounded value no metric dimension may hold.</summary>
    public IReadOnlyList<Guid> UserIds { get; }

    public static async Task<TelemetryScenario> RunAsync(TelemetryFixture fixture)
    {
        var gateway = fixture.Gateway;
        var secrets = new List<string> { Accounts.Password };

        var registered = await Accounts.RegisterAsync(gateway);
        var tokens = await Accounts.LoginAsync(gateway, registered.Email);
        var failed = await Requests.PostJsonAsync(gateway, "/api/auth/login", new { email = registered.Email, password = "not the password at all" });
        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        secrets.Add("not the password at all");
        var refreshed = await Accounts.RefreshAsync(gateway, tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var newTokens = await Tokens.ReadAsync(refreshed);
        foreach (var token in new[] { tokens, newTokens })
        {
            secrets.AddRange([token.AccessToken, token.AccessToken.Split('.')[2], token.RefreshToken]);
        }

        var user = new TestUser(registered.Id, registered.Email, registered.DisplayName, newTokens);
        var bio = $"telemetry {Guid.NewGuid():N}";
        await using (var socket = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.GatewayWebSocket(fixture), user))
        {
            var patched = await gateway.SendAsync(Requests.Authorized(HttpMethod.Patch, "/api/users/me", user, new { bio }));
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            var update = await socket.ReceiveOfTypeAsync("data_update");
            Assert.Equal(user.Id, update.GetProperty("id").GetGuid());
        }

        // Reading the profile twice: a cache miss, then a hit.
        for (var read = 0; read < 2; read++)
        {
            var profile = await gateway.SendAsync(Requests.Authorized(HttpMethod.Get, $"/api/users/{user.Id}", user));
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        }

        var session = await GatewayJweClient.StartAsync(gateway);
        secrets.AddRange([GatewayJweClient.B64(session.Key), Convert.ToBase64String(session.Key)]);
        var login = new { email = registered.Email, password = Accounts.Password };
        using (var encrypted = session.EncryptedRequest(HttpMethod.Post, "/api/auth/login", login))
        {
            var answer = await gateway.SendAsync(encrypted);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var (_, plaintext) = await session.DecryptAsync(answer);
            var sealedTokens = JsonDocument.Parse(plaintext).RootElement;
            secrets.AddRange([sealedTokens.GetProperty("accessToken").GetString()!, sealedTokens.GetProperty("refreshToken").GetString()!]);
        }
        // Sealed for another path than the one it is sent to: the gateway rejects it (reason: binding).
        var misdirected = session.Encrypt("POST", "/api/auth/register", "application/json", JsonSerializer.Serialize(login));
        Assert.Equal(HttpStatusCode.BadRequest, (await gateway.PostAsync("/api/auth/login", GatewayJweClient.Jose(misdirected))).StatusCode);

        // The auth tier allows 5 a minute per address: the sixth attempt from one address is refused.
        var address = GatewayClients.UniqueLoopbackAddress();
        using (var sameAddress = fixture.GatewayReplica(0, address))
        {
            var statuses = new List<HttpStatusCode>();
            for (var attempt = 0; attempt < 6; attempt++)
            {
                statuses.Add((await Requests.PostJsonAsync(sameAddress, "/api/auth/login", new { email = registered.Email, password = "wrong password again" })).StatusCode);
            }
            Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        }

        // A burst of logins on the identity service's own port: more than the hashing slots and queue, so some are shed.
        using (var identity = fixture.App.CreateHttpClient(ResourceNames.IdentityService, "http"))
        {
            identity.Timeout = TimeSpan.FromMinutes(2);
            var burst = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
                Requests.PostJsonAsync(identity, "/api/auth/login", new { email = registered.Email, password = "wrong password again" })));
            Assert.Contains(burst, response => response.StatusCode == HttpStatusCode.ServiceUnavailable);
        }

        var slowUser = await Accounts.CreateAsync(gateway);
        await DropASlowConsumerAsync(fixture, slowUser);
        secrets.AddRange([slowUser.AccessToken, slowUser.RefreshToken]);

        secrets.AddRange(await InfrastructureSecretsAsync(fixture));
        return new TelemetryScenario(secrets, [registered.Id, slowUser.Id]);
    }

    /// <summary>A client that never reads while events pile up for it: its connection is cut (as RealtimeFanOutTests prove).</summary>
    private static async Task DropASlowConsumerAsync(TelemetryFixture fixture, TestUser user)
    {
        await using var slow = await RealtimeTestClient.ConnectAuthenticatedAsync(RealtimeTestClient.GatewayWebSocket(fixture), user);
        await using var redis = await Stores.RedisAsync(fixture);
        var padding = new string('x', 16 * 1024);
        for (var i = 0; i < 4000; i++)
        {
            await redis.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal("realtime:events"), JsonSerializer.Serialize(new
            {
                userId = user.Id,
                message = new { type = "notification", title = $"flood {i}", body = padding },
                traceParent = (string?)null,
                sentAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            }));
        }
        Assert.Null(await slow.ReceiveCloseAsync()); // cut without a close frame, once the queued messages are read
    }

    /// <summary>The generated development secrets (state folder) and the database and Redis passwords.</summary>
    private static async Task<IEnumerable<string>> InfrastructureSecretsAsync(TelemetryFixture fixture)
    {
        var secrets = new List<string>();
        foreach (var file in fixture.DataDirectory.GetFiles())
        {
            // PEM files: every base64 line is key material; others hold the secret as their whole text.
            secrets.AddRange(File.ReadAllLines(file.FullName).Select(line => line.Trim()).Where(line => line.Length >= 16 && !line.StartsWith("-----", StringComparison.Ordinal)));
        }
        foreach (var resource in new[] { ResourceNames.IdentityDatabase, ResourceNames.Redis })
        {
            var connectionString = await fixture.ConnectionStringAsync(resource);
            secrets.AddRange(connectionString.Split(',', ';')
                .Select(part => part.Split('=', 2))
                .Where(pair => pair.Length == 2 && pair[0].Trim().Equals("password", StringComparison.OrdinalIgnoreCase))
                .Select(pair => pair[1].Trim()));
        }
        return secrets;
    }
}
