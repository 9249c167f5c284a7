using System.Text.Json;
using IdentityService.Domain;

namespace IdentityService.Application;

public abstract record RegistrationResult
{
    public sealed record Created(Account Account) : RegistrationResult;

    public sealed record EmailTaken : RegistrationResult;

    /// <summary>The account is stored but its profile could not be confirmed in time: not a 201 (contract §2).</summary>
    public sealed record ProfilePending : RegistrationResult;
}

/// <summary>
/// Registration: the account and the message that provisions its profile in the user service are written in one
/// transaction (outbox), and the message is delivered before the answer — 201 only for an account whose profile
/// exists (contract §2). If that cannot be confirmed in time (the user service is away), the answer is 503 and the
/// dispatcher keeps delivering; sending the same registration again (same address and password) answers the 201
/// once the profile exists, so a client that retries a 503 or a lost answer ends with its account, never a 409.
/// </summary>
public sealed class RegisterAccount(
    IAccountRepository accounts,
    IPasswordHasher hasher,
    IOutbox outbox,
    TimeProvider clock)
{
    /// <summary>How long the dispatcher leaves a new registration's message to the registering request.</summary>
    public static readonly TimeSpan DispatcherGrace = TimeSpan.FromSeconds(10);

    public async Task<RegistrationResult> ExecuteAsync(string email, string password, string displayName, CancellationToken cancellationToken)
    {
        email = ServiceDefaults.Text.TextRules.NormalizeEmail(email);
        // Cheap early answer; the unique index below is what actually guarantees it under concurrency.
        if (await accounts.FindByEmailAsync(email, cancellationToken) is { } existing)
        {
            return await RepeatAsync(existing, password, cancellationToken);
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
            // One provisioning message per account, under the account's id: a repeated registration finds it.
            Id = account.Id,
            Type = OutboxMessageTypes.ProvisionUserProfile,
            Payload = JsonSerializer.Serialize(new UserProfileProvisioning(account.Id, account.Email, account.DisplayName, now)),
            CreatedAt = now,
            // This request delivers it; the dispatcher takes over only if the request cannot (or its replica dies).
            NextAttemptAt = now + DispatcherGrace,
        };
        if (!await accounts.AddWithMessageAsync(account, message, cancellationToken))
        {
            return new RegistrationResult.EmailTaken();
        }

        return await outbox.DeliverNowAsync(message.Id, cancellationToken) == DeliveryState.Delivered
            ? new RegistrationResult.Created(account)
            : new RegistrationResult.ProfilePending();
    }

    /// <summary>
    /// The same registration again (a retry after a 503 or a lost answer): with the account's password it answers as
    /// the first should have — 201 once the profile exists (delivering it now if still pending). Anything else is the
    /// address being taken. Verifying costs one Argon2id, as the first registration's hashing did.
    /// </summary>
    private async Task<RegistrationResult> RepeatAsync(Account existing, string password, CancellationToken cancellationToken)
    {
        if (!(await hasher.VerifyAsync(password, existing.PasswordHash, cancellationToken)).Matches)
        {
            return new RegistrationResult.EmailTaken();
        }
        return await outbox.DeliverNowAsync(existing.Id, cancellationToken) switch
        {
            DeliveryState.Delivered => new RegistrationResult.Created(existing),
            DeliveryState.Pending => new RegistrationResult.ProfilePending(),
            // Accounts registered before messages carried the account's id, or a dead letter: nothing to repeat.
            _ => new RegistrationResult.EmailTaken(),
        };
    }
}

/// <summary>Internal contract 1's body: <c>{"userId","email","displayName","createdAt"}</c>.</summary>
public sealed record UserProfileProvisioning(
    [property: System.Text.Json.Serialization.JsonPropertyName("userId")] Guid UserId,
    [property: System.Text.Json.Serialization.JsonPropertyName("email")] string Email,
    [property: System.Text.Json.Serialization.JsonPropertyName("displayName")] string DisplayName,
    [property: System.Text.Json.Serialization.JsonPropertyName("createdAt")] DateTimeOffset CreatedAt);
