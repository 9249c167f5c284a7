using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AppHost;
using Npgsql;
using Tests.Shared;

namespace EndToEnd.Tests;

/// <summary>What the identity database holds after the public calls of contract §2.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class IdentityStorageTests(DistributedAppFixture fixture)
{
    private HttpClient Gateway => fixture.Gateway;

    [Fact]
    public async Task ThePasswordIsStoredOnlyAsAnArgon2idPhcStringWithTheDefaultParameters()
    {
        var user = await Accounts.RegisterAsync(Gateway);

        var hash = await ScalarAsync<string>("SELECT password_hash FROM accounts WHERE id = @id", ("id", user.Id));

        Assert.Matches(@"^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", hash);
        Assert.DoesNotContain(Accounts.Password, hash);
    }

    [Fact]
    public async Task TheDatabaseItselfRejectsAnEmailThatDiffersOnlyInCase()
    {
        var user = await Accounts.RegisterAsync(Gateway);

        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(
            "INSERT INTO accounts (id, email, display_name, password_hash, created_at) VALUES (@id, @email, 'x', 'x', now())",
            ("id", Guid.NewGuid()), ("email", user.Email.ToUpperInvariant())));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
    }

    [Fact]
    public async Task RefreshTokensAreStoredOnlyAsTheirSha256()
    {
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;
        var sid = Guid.Parse(Tokens.Part(tokens.AccessToken, 1).GetProperty("sid").GetString()!);

        var stored = await ScalarAsync<byte[]>("SELECT token_hash FROM refresh_tokens WHERE session_id = @sid", ("sid", sid));

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(tokens.RefreshToken)), stored);
        var plain = await ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE encode(token_hash, 'escape') LIKE '%' || @t || '%'", ("t", tokens.RefreshToken));
        Assert.Equal(0, plain);
    }

    [SkippableFact]
    public async Task AHashWithOlderParametersIsUpgradedAtTheNextSuccessfulLogin()
    {
        var argon2 = RequiredTool.Argon2.Path();
        var user = await Accounts.RegisterAsync(Gateway);
        // Made by the reference implementation (the argon2 command), which also shows the formats agree.
        var oldHash = await ReferenceArgon2Async(argon2, Accounts.Password, memoryExponent: 12, iterations: 1, parallelism: 1);
        Assert.StartsWith("$argon2id$v=19$m=4096,t=1,p=1$", oldHash);
        await ScalarAsync<object>("UPDATE accounts SET password_hash = @h WHERE id = @id", ("h", oldHash), ("id", user.Id));

        var wrong = await Requests.PostJsonAsync(Gateway, "/api/auth/login", new { email = user.Email, password = "wrong password!" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(oldHash, await ScalarAsync<string>("SELECT password_hash FROM accounts WHERE id = @id", ("id", user.Id)));

        await Accounts.LoginAsync(Gateway, user.Email);

        var upgraded = await ScalarAsync<string>("SELECT password_hash FROM accounts WHERE id = @id", ("id", user.Id));
        Assert.StartsWith("$argon2id$v=19$m=65536,t=3,p=4$", upgraded);
        await Accounts.LoginAsync(Gateway, user.Email);
    }

    [Fact]
    public async Task RegistrationWritesTheProfileProvisioningMessageToTheOutbox()
    {
        var user = await Accounts.RegisterAsync(Gateway, displayName: "Outbox Person");

        var payload = await ScalarAsync<string>(
            "SELECT payload::text FROM outbox_messages WHERE type = 'provision-user-profile' AND payload->>'userId' = @id",
            ("id", user.Id.ToString()));

        var message = JsonDocument.Parse(payload).RootElement;
        Assert.Equal(user.Email, message.GetProperty("email").GetString());
        Assert.Equal("Outbox Person", message.GetProperty("displayName").GetString());
        Assert.True(message.GetProperty("createdAt").TryGetDateTimeOffset(out _));
    }

    [Fact]
    public async Task TheSchemaComesFromVersionedMigrations()
    {
        var applied = await ScalarAsync<long>("SELECT count(*) FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" LIKE '%_InitialIdentitySchema'");

        Assert.Equal(1, applied);
    }

    private async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await Stores.IdentityDbAsync(fixture);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> ReferenceArgon2Async(string argon2, string password, int memoryExponent, int iterations, int parallelism)
    {
        var salt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var process = Process.Start(new ProcessStartInfo(argon2,
            [salt, "-id", "-t", $"{iterations}", "-m", $"{memoryExponent}", "-p", $"{parallelism}", "-l", "32", "-e"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        await process.StandardInput.WriteAsync(password);
        process.StandardInput.Close();
        var output = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
