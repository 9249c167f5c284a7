using System.Text.Json;
using IdentityService.Domain;

namespace IdentityService.Application;

public abstract record RegistrationResult
{
    public sealed record Created(Account Account) : RegistrationResult;

    public sealed record EmailTaken : RegistrationResult;
}

/// <summary>
/// Registration: the account and the message that provisions its profile in the user service are written
/// in one transaction (outbox); delivery is tried at once, and the dispatcher retries it if that fails, so
/// registration works while the user service is down.
/// </summary>
public sealed class RegisterAccount(
    IAccountRepository accounts,
    IPasswordHasher hasher,
    IOutbox outbox,
    TimeProvider clock)
{
    public async Task<RegistrationResult> ExecuteAsync(string email, string password, string displayName, CancellationToken cancellationToken)
    {
        email = ServiceDefaults.Text.TextRules.NormalizeEmail(email);
        // Cheap early answer; the unique index below is what actually guarantees it under concurrency.
        if (await accounts.FindByEmailAsync(email, cancellationToken) is not null)
        {
            return new RegistrationResult.EmailTaken();
        }

        var now = clock.GetUtcNow();
        var account = new Account
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            DisplayName = displayName.Trim(),
            PasswordHash = await hasher.HashAsync(password, cancellationToken),
            CreatedAt = now,
        };
        var message = new OutboxMessage
        {
            Id = Guid.CreateVersion7(),
            Type = OutboxMessageTypes.ProvisionUserProfile,
            Payload = JsonSerializer.Serialize(new UserProfileProvisioning(account.Id, account.Email, account.DisplayName, now)),
            CreatedAt = now,
            NextAttemptAt = now,
        };
        if (!await accounts.AddWithMessageAsync(account, message, cancellationToken))
        {
            return new RegistrationResult.EmailTaken();
        }

        await outbox.TryDeliverNowAsync(message.Id, cancellationToken);
        return new RegistrationResult.Created(account);
    }
}

/// <summary>Internal contract 1's body: <c>{"userId","email","displayName","createdAt"}</c>.</summary>
public sealed record UserProfileProvisioning(
    [property: System.Text.Json.Serialization.JsonPropertyName("userId")] Guid UserId,
    [property: System.Text.Json.Serialization.JsonPropertyName("email")] string Email,
    [property: System.Text.Json.Serialization.JsonPropertyName("displayName")] string DisplayName,
    [property: System.Text.Json.Serialization.JsonPropertyName("createdAt")] DateTimeOffset CreatedAt);
