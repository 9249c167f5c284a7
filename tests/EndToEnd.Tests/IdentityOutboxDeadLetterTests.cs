using System.Net.Http.Headers;
using System.Text.Json;
using AppHost;
using Npgsql;

namespace EndToEnd.Tests;

/// <summary>
/// A poison message — one the user service refuses with a 4xx — is dead-lettered instead of retried for ever:
/// kept with its error, counted on the identity service's /health detail. The row is inserted the way rows stuck
/// before this change look: thousands of attempts behind it.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class IdentityOutboxDeadLetterTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task AMessageTheUserServiceRefusesIsDeadLetteredWithItsErrorAndCountedOnHealth()
    {
        var messageId = Guid.CreateVersion7();
        var userId = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(ResourceNames.IdentityDatabase));
        await connection.OpenAsync();
        // An empty display name: the user service answers 4xx (its field rules), whatever it is sent again.
        await InsertAsync(connection, messageId, new { userId, email = $"{userId:N}@example.test", displayName = "", createdAt = DateTimeOffset.UtcNow }, attempts: 4000);

        var row = await Poll.UntilAsync(() => ReadAsync(connection, messageId), r => r.DeadLetteredAt is not null,
            what: "the refused message's dead-letter mark");

        Assert.Matches("^HTTP 4[0-9][0-9]$", row.LastError);
        Assert.Equal(4001, row.Attempts);
        Assert.False(row.Delivered);

        using var identity = new HttpClient { BaseAddress = fixture.App.GetEndpoint(ResourceNames.IdentityService, "http") };
        var deadLetters = await Poll.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await identity.SendAsync(request);
            using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return health.RootElement.GetProperty("checks").GetProperty("outbox").GetProperty("data").GetProperty("deadLetters").GetInt64();
        }, count => count >= 1, what: "the dead-letter count on /health");
        Assert.Equal(await CountDeadLettersAsync(connection), deadLetters);

        // Dead-lettered means no longer tried: once the dispatcher has delivered a message queued after it (so it ran
        // again), the refused message's attempt count is still where it was.
        var laterId = Guid.CreateVersion7();
        await InsertAsync(connection, laterId, new { userId = Guid.CreateVersion7(), email = $"{laterId:N}@example.test", displayName = "Later", createdAt = DateTimeOffset.UtcNow }, attempts: 0);
        await Poll.UntilAsync(() => ReadAsync(connection, laterId), r => r.Delivered, what: "delivery of a message queued after the dead letter");
        Assert.Equal(4001, (await ReadAsync(connection, messageId)).Attempts);
    }

    private static async Task InsertAsync(NpgsqlConnection connection, Guid id, object payload, int attempts)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO outbox_messages (id, type, payload, created_at, attempts, next_attempt_at)
            VALUES (@id, 'provision-user-profile', @payload::jsonb, now(), @attempts, now())
            """, connection);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("payload", JsonSerializer.Serialize(payload));
        insert.Parameters.AddWithValue("attempts", attempts);
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task<(DateTime? DeadLetteredAt, string? LastError, int Attempts, bool Delivered)> ReadAsync(NpgsqlConnection connection, Guid id)
    {
        await using var command = new NpgsqlCommand("SELECT dead_lettered_at, last_error, attempts, delivered_at IS NOT NULL FROM outbox_messages WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.IsDBNull(0) ? null : reader.GetDateTime(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2), reader.GetBoolean(3));
    }

    private static async Task<long> CountDeadLettersAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM outbox_messages WHERE dead_lettered_at IS NOT NULL", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
