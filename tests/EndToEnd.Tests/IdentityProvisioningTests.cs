using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AppHost;
using Npgsql;

namespace EndToEnd.Tests;

/// <summary>
/// Internal contract 1 end to end: registration provisions the profile in the user service through the
/// outbox before it answers, and a logout is seen by the user service (another validator) at once.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class IdentityProvisioningTests(DistributedAppFixture fixture)
{
    private HttpClient Gateway => fixture.Gateway;

    [Fact]
    public async Task TheProfileExistsAsSoonAsRegistrationHasAnswered()
    {
        var user = await Accounts.CreateAsync(Gateway);
        var tokens = user.Tokens;

        var me = await GetMeAsync(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var profile = await me.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user.Id.ToString(), profile.GetProperty("id").GetString());
        Assert.Equal(user.Email, profile.GetProperty("email").GetString());
        Assert.Equal(user.DisplayName, profile.GetProperty("displayName").GetString());
        await using var connection = await Stores.IdentityDbAsync(fixture);
        await using var command = new NpgsqlCommand("SELECT delivered_at IS NOT NULL FROM outbox_messages WHERE payload->>'userId' = @id", connection);
        command.Parameters.AddWithValue("id", user.Id.ToString());
        Assert.Equal(true, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AfterLogoutTheUserServiceRejectsTheSessionsAccessToken()
    {
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;
        Assert.Equal(HttpStatusCode.OK, (await GetMeAsync(tokens.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Accounts.LogoutAsync(Gateway, tokens.AccessToken, tokens.RefreshToken)).StatusCode);

        // Revocation is pushed to every validator (contract: within a second; measured in BENCHMARKS.md, not timed here).
        await Poll.UntilAsync(async () => (await GetMeAsync(tokens.AccessToken)).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5), "rejection after revocation");
        await Problems.ExpectAsync(await GetMeAsync(tokens.AccessToken), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AfterRefreshTokenReuseTheUserServiceRejectsTheSessionsAccessTokens()
    {
        var tokens = (await Accounts.CreateAsync(Gateway)).Tokens;
        var next = await Tokens.ReadAsync(await Accounts.RefreshAsync(Gateway, tokens.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, (await GetMeAsync(next.AccessToken)).StatusCode);

        await Accounts.RefreshAsync(Gateway, tokens.RefreshToken);

        await Poll.UntilAsync(async () => (await GetMeAsync(next.AccessToken)).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5), "rejection after revocation");
        await Problems.ExpectAsync(await GetMeAsync(next.AccessToken), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheDispatcherDeliversAMessageThatIsStillPending()
    {
        // As if the immediate attempt had failed (user service down): only the background dispatcher can deliver it.
        var userId = Guid.CreateVersion7();
        var payload = JsonSerializer.Serialize(new
        {
            userId, email = Accounts.UniqueEmail("pending"), displayName = "Pending Person", createdAt = DateTimeOffset.UtcNow,
        });
        await using var connection = await Stores.IdentityDbAsync(fixture);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO outbox_messages (id, type, payload, created_at, attempts, next_attempt_at, last_error) " +
            "VALUES (@id, 'provision-user-profile', @payload::jsonb, now(), 1, now(), 'HTTP 503')", connection))
        {
            insert.Parameters.AddWithValue("id", Guid.CreateVersion7());
            insert.Parameters.AddWithValue("payload", payload);
            await insert.ExecuteNonQueryAsync();
        }

        // Wait (bounded) for the dispatcher's next rounds; this is about whether, not how fast.
        var profile = await Poll.UntilAsync(() => Gateway.GetAsync($"/api/users/{userId}"),
            response => response.StatusCode != HttpStatusCode.NotFound, TimeSpan.FromSeconds(30), "the pending profile");

        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        Assert.Equal("Pending Person", (await profile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("displayName").GetString());
        await using var check = new NpgsqlCommand("SELECT attempts FROM outbox_messages WHERE payload->>'userId' = @id AND delivered_at IS NOT NULL", connection);
        check.Parameters.AddWithValue("id", userId.ToString());
        Assert.Equal(2, await check.ExecuteScalarAsync());
    }

    private async Task<HttpResponseMessage> GetMeAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await Gateway.SendAsync(request);
    }
}
