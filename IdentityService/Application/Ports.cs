using IdentityService.Domain;

namespace IdentityService.Application;

// What the use cases need from the outside world. Infrastructure implements them with EF Core and PostgreSQL
// (Infrastructure/IdentityStore.cs), the outbox (Infrastructure/OutboxDelivery.cs), Argon2id
// (Infrastructure/Argon2idPasswordHasher.cs) and the ES256 signer (Infrastructure/AccessTokenIssuer.cs); the unit
// tests with in-memory fakes. Each write that must be atomic is one call here, so the unit of work stays behind the port.

public interface IAccountRepository
{
    /// <summary>Looks the address up the way its unique index compares it (case-insensitively).</summary>
    Task<Account?> FindByEmailAsync(string trimmedEmail, CancellationToken cancellationToken);

    /// <summary>Stores the account and its outbox message in one transaction; false when the address is taken.</summary>
    Task<bool> AddWithMessageAsync(Account account, OutboxMessage message, CancellationToken cancellationToken);

    Task UpdatePasswordHashAsync(Guid accountId, string passwordHash, CancellationToken cancellationToken);
}

public interface ISessionRepository
{
    Task AddAsync(LoginSession session, RefreshToken refreshToken, CancellationToken cancellationToken);

    Task<(RefreshToken Token, LoginSession Session)?> FindByRefreshTokenAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: retires <paramref name="current"/> only if it is not rotated yet and its session is
    /// still open, and stores <paramref name="successor"/>. False when a concurrent refresh or a revocation came first.
    /// </summary>
    Task<bool> RotateAsync(RefreshToken current, RefreshToken successor, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes the session if it belongs to the account and is open; false otherwise.</summary>
    Task<bool> RevokeAsync(Guid sessionId, Guid accountId, string reason, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Where a message stands after <see cref="IOutbox.DeliverNowAsync"/>.</summary>
public enum DeliveryState
{
    /// <summary>Delivered, by this call or earlier (by the dispatcher, or a previous request).</summary>
    Delivered,

    /// <summary>Not delivered yet (the receiver did not answer in time, or refused for now); the dispatcher retries.</summary>
    Pending,

    /// <summary>No such message, or dead-lettered: it will never be delivered.</summary>
    Never,
}

/// <summary>The outbox's sender: one attempt for one stored message, at once, bounded in time; never throws.</summary>
public interface IOutbox
{
    /// <summary>
    /// Delivers the message now unless it already is; waits for a delivery another worker is making of it, so that
    /// <see cref="DeliveryState.Delivered"/> means the receiver has it.
    /// </summary>
    Task<DeliveryState> DeliverNowAsync(Guid messageId, CancellationToken cancellationToken);
}

/// <summary>
/// Password hashing with the current parameters. Both calls throw <see cref="PasswordHashingBusyException"/> when
/// hashing is at capacity, before doing any work.
/// </summary>
public interface IPasswordHasher
{
    Task<string> HashAsync(string password, CancellationToken cancellationToken);

    /// <summary>
    /// Checks a password; <paramref name="storedHash"/> null means an unknown account: never a match, but the same
    /// work as a wrong password, so that the answer's timing does not tell whether the account exists.
    /// </summary>
    Task<PasswordCheck> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken);
}

/// <summary>The outcome of a password check; <see cref="NeedsRehash"/> when the hash uses older parameters.</summary>
public readonly record struct PasswordCheck(bool Matches, bool NeedsRehash);

/// <summary>Every hashing slot is busy and the queue full: the endpoint answers 503 with this Retry-After.</summary>
public sealed class PasswordHashingBusyException(int retryAfterSeconds) : Exception("Password hashing is at capacity.")
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>Signs access tokens (contract §2) for a login session, valid for <c>lifetime</c> from now.</summary>
public interface IAccessTokenIssuer
{
    string Issue(Guid userId, Guid sessionId, TimeSpan lifetime);
}
