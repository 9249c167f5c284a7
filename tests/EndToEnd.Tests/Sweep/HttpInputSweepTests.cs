using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Sweep;

/// <summary>
/// Issue #9 item 7: seeded malformed bodies through the gateway on every POST/PATCH route, plain and JWE-encrypted.
/// Every answer is a 4xx problem (never a 5xx, never a success for a body that cannot be right), and nothing is
/// half-written: no account without a profile, no profile changed by a refused PATCH.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class HttpInputSweepTests(DistributedAppFixture fixture, ITestOutputHelper output)
{
    private const int Rounds = 2;

    private sealed record Route(string Name, HttpMethod Method, string Path, JsonObject Valid, string[] Fields, string? Bearer = null)
    {
        public ISet<string> Multiline { get; init; } = new HashSet<string>();
    }

    [Fact]
    public async Task EveryMalformedBodyIsAProblemAndNothingIsHalfWritten()
    {
        var run = new SweepRun();
        var mutator = new Mutator(run.Random);
        var login = await Accounts.CreateAsync(fixture.Gateway);
        var logout = await Accounts.CreateAsync(fixture.Gateway);
        Route[] routes =
        [
            new("register", HttpMethod.Post, "/api/auth/register",
                new JsonObject { ["email"] = "sweep@example.com", ["password"] = Accounts.Password, ["displayName"] = "Sweep Person" },
                ["email", "password", "displayName"]),
            new("login", HttpMethod.Post, "/api/auth/login",
                new JsonObject { ["email"] = login.Email, ["password"] = Accounts.Password }, ["email", "password"]),
            new("refresh", HttpMethod.Post, "/api/auth/refresh", new JsonObject { ["refreshToken"] = login.RefreshToken }, ["refreshToken"]),
            new("logout", HttpMethod.Post, "/api/auth/logout", new JsonObject { ["refreshToken"] = logout.RefreshToken }, ["refreshToken"], logout.AccessToken),
            new("session", HttpMethod.Post, "/api/session", new JsonObject { ["publicKey"] = PublicKey() }, ["publicKey"]),
        ];

        foreach (var route in routes)
        {
            foreach (var kind in Enumerable.Repeat(Mutator.Classes, Rounds).SelectMany(c => c))
            {
                var mutant = mutator.Make(kind, Fresh(route), route.Fields, route.Multiline);
                var response = await SendAsync(fixture.Gateway, route, mutant);
                await JudgeAsync(run, route.Name, mutant, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                    await response.Content.ReadAsByteArrayAsync());
            }
        }
        await SweepPatchAsync(run, mutator, encrypted: false);
        await SweepEncryptedAsync(run, mutator);
        await SweepPatchAsync(run, mutator, encrypted: true);
        await AssertEveryAccountHasItsProfileAsync(run);

        output.WriteLine(run.Report());
        run.AssertClean();
    }

    /// <summary>PATCH /api/users/me: a refused PATCH leaves the profile exactly as it was (read before and after).</summary>
    private async Task SweepPatchAsync(SweepRun run, Mutator mutator, bool encrypted)
    {
        var name = encrypted ? "jwe PATCH /me" : "PATCH /me";
        var session = encrypted ? await GatewayJweClient.StartAsync(fixture.Gateway) : null;
        foreach (var batch in Enumerable.Repeat(Mutator.Classes, Rounds).SelectMany(c => c).Chunk(25))
        {
            // A fresh account per batch keeps each one under the per-user api limit (100/min).
            var user = await Accounts.CreateAsync(fixture.Gateway);
            var route = new Route(name, HttpMethod.Patch, "/api/users/me",
                new JsonObject { ["displayName"] = "Sweep Patch", ["bio"] = "line one\nline two", ["avatarUrl"] = "https://example.test/a.png" },
                ["displayName", "bio", "avatarUrl"], user.AccessToken) { Multiline = new HashSet<string> { "bio" } };
            var before = await ProfileAsync(user);
            foreach (var kind in batch)
            {
                var mutant = mutator.Make(kind, route.Valid, route.Fields, route.Multiline);
                var (status, mediaType, body) = session is null
                    ? await ReadAsync(await SendAsync(fixture.Gateway, route, mutant))
                    : await SendEncryptedAsync(session, route, mutant);
                await JudgeAsync(run, name, mutant, status, mediaType, body);
                var after = await ProfileAsync(user);
                if (status >= 400 && after != before)
                {
                    run.Fail(name, mutant, $"refused with {status} but the profile changed:\n  before {before}\n  after  {after}");
                }
                before = after;
            }
        }
    }

    /// <summary>Encrypted registrations with malformed plaintexts, then malformed JWE envelopes themselves.</summary>
    private async Task SweepEncryptedAsync(SweepRun run, Mutator mutator)
    {
        var session = await GatewayJweClient.StartAsync(fixture.Gateway);
        var route = new Route("jwe register", HttpMethod.Post, "/api/auth/register",
            new JsonObject { ["email"] = "sweep@example.com", ["password"] = Accounts.Password, ["displayName"] = "Sweep Jwe" },
            ["email", "password", "displayName"]);
        foreach (var kind in Mutator.Classes)
        {
            var mutant = mutator.Make(kind, Fresh(route), route.Fields);
            var (status, mediaType, body) = await SendEncryptedAsync(session, route, mutant);
            await JudgeAsync(run, route.Name, mutant, status, mediaType, body);
        }
        foreach (var mutant in new JweMutator(run.Random, session).Make(Encoding.UTF8.GetBytes(Fresh(route).ToJsonString()), "POST", route.Path))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, route.Path) { Content = new ByteArrayContent(mutant.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose");
            var (status, mediaType, body) = await OpenAsync(session, await fixture.Gateway.SendAsync(request));
            await JudgeAsync(run, "jwe envelope", mutant, status, mediaType, body);
        }
    }

    private async Task<(int, string?, byte[])> SendEncryptedAsync(GatewayJweClient session, Route route, Mutant mutant)
    {
        var compact = session.Seal(JweMutator.Header(session, route.Method.Method, route.Path, mutant.ContentType ?? ""), mutant.Body);
        using var request = new HttpRequestMessage(route.Method, route.Path) { Content = new ByteArrayContent(Encoding.ASCII.GetBytes(compact)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose");
        foreach (var label in mutant.ContentEncodings)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Encoding", label);
        }
        if (route.Bearer is not null)
        {
            request.WithBearer(route.Bearer);
        }
        return await OpenAsync(session, await fixture.Gateway.SendAsync(request));
    }

    /// <summary>Status, media type and body of an answer; an encrypted one is judged by what is inside.</summary>
    private static async Task<(int, string?, byte[])> OpenAsync(GatewayJweClient session, HttpResponseMessage response)
    {
        var (status, mediaType, body) = await ReadAsync(response);
        if (mediaType != "application/jose")
        {
            return (status, mediaType, body);
        }
        var (header, plaintext) = session.Decrypt(Encoding.ASCII.GetString(body));
        Assert.Equal(status, header.GetProperty("status").GetInt32());
        return (status, header.GetProperty("cty").GetString(), Encoding.UTF8.GetBytes(plaintext));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient gateway, Route route, Mutant mutant)
    {
        using var request = new HttpRequestMessage(route.Method, route.Path) { Content = new ByteArrayContent(mutant.Body) };
        if (mutant.ContentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", mutant.ContentType);
        }
        foreach (var label in mutant.ContentEncodings)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Encoding", label);
        }
        if (route.Bearer is not null)
        {
            request.WithBearer(route.Bearer);
        }
        return await gateway.SendAsync(request);
    }

    private static async Task<(int, string?, byte[])> ReadAsync(HttpResponseMessage response) =>
        ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync());

    /// <summary>The rules: never 5xx; success only where the body may rightly be accepted; every 4xx a full problem.</summary>
    private static Task JudgeAsync(SweepRun run, string route, Mutant mutant, int status, string? mediaType, byte[] body)
    {
        run.Count(route, mutant.Class, status.ToString());
        if (status is >= 200 and < 300)
        {
            if (!mutant.MayBeAccepted)
            {
                run.Fail(route, mutant, $"accepted with {status}");
            }
            return Task.CompletedTask;
        }
        if (status is < 400 or >= 500)
        {
            run.Fail(route, mutant, $"answered {status}: {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)])}");
            return Task.CompletedTask;
        }
        if (Problems.ShapeError(status, mediaType, body) is { } error)
        {
            run.Fail(route, mutant, $"{status} is not a full problem: {error}");
        }
        else if (!mutant.Expected.Contains(status))
        {
            run.Deviate(route, mutant, $"{status}, contract says {string.Join("/", mutant.Expected)}");
        }
        return Task.CompletedTask;
    }

    /// <summary>The route's valid body; registrations get a new address each time, so an accepted one is a new account.</summary>
    private static JsonObject Fresh(Route route)
    {
        var body = (JsonObject)route.Valid.DeepClone();
        if (body.ContainsKey("displayName") && route.Path == "/api/auth/register")
        {
            body["email"] = Accounts.UniqueEmail("sweep");
        }
        return body;
    }

    private async Task<string> ProfileAsync(TestUser user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me").WithBearer(user.AccessToken);
        var response = await fixture.Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string PublicKey()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return GatewayJweClient.B64([0x04, .. q.X!, .. q.Y!]);
    }

    /// <summary>Identity's accounts against UserService's profiles, read in the databases (the outbox may still be delivering).</summary>
    private async Task AssertEveryAccountHasItsProfileAsync(SweepRun run)
    {
        await using var identity = await Stores.IdentityDbAsync(fixture);
        await using var users = await Stores.UsersDbAsync(fixture);
        var orphans = await Poll.UntilAsync(async () =>
            {
                var accounts = await IdsAsync(identity, "SELECT id FROM accounts");
                var profiles = await IdsAsync(users, "SELECT id FROM profiles");
                return accounts.Except(profiles).ToList();
            },
            missing => missing.Count == 0, TimeSpan.FromSeconds(30), "the accounts without a profile", failAtDeadline: false);
        if (orphans.Count > 0)
        {
            run.Fail($"accounts without a profile: {string.Join(", ", orphans.Take(10))}");
        }
    }

    private static async Task<HashSet<Guid>> IdsAsync(Npgsql.NpgsqlConnection connection, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }
}
