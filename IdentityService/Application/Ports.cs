using IdentityService.Domain;

namespace IdentityService.Application;

// What the use cases need from the outside world. Infrastructure implements them with EF Core and PostgreSQL
// (Infrastructure/IdentityStore.cs) and the outbox (Infrastructure/OutboxDelivery.cs); the unit tests with
// in-memory fakes. Each write that must be atomic is one call here, so the unit of work stays behind the port.

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

/// <summary>The outbox's sender: tries one just-stored message at once; never throws (the dispatcher retries).</summary>
public interface IOutbox
{
    Task TryDeliverNowAsync(Guid messageId, CancellationToken cancellationToken);
}
