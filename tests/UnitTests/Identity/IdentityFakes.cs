using System.Diagnostics.Metrics;
using IdentityService.Application;
using IdentityService.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UnitTests.Support;

namespace UnitTests.Identity;

/// <summary>Accounts, sessions and refresh tokens in lists, with the database's rules (unique address, conditional rotation).</summary>
internal sealed class InMemoryIdentityStore : IAccountRepository, ISessionRepository
{
    public List<Account> Accounts { get; } = [];
    public List<OutboxMessage> Outbox { get; } = [];
    public List<LoginSession> Sessions { get; } = [];
    public List<RefreshToken> RefreshTokens { get; } = [];

    public Task<Account?> FindByEmailAsync(string trimmedEmail, CancellationToken cancellationToken) =>
        Task.FromResult(Accounts.FirstOrDefault(a => string.Equals(a.Email, trimmedEmail, StringComparison.OrdinalIgnoreCase)));

    public Task<bool> AddWithMessageAsync(Account account, OutboxMessage message, CancellationToken cancellationToken)
    {
        if (Accounts.Any(a => string.Equals(a.Email, account.Email, StringComparison.OrdinalIgnoreCase)))
        {
            return Task.FromResult(false);
        }
        Accounts.Add(account);
        Outbox.Add(message);
        return Task.FromResult(true);
    }

    public Task UpdatePasswordHashAsync(Guid accountId, string passwordHash, CancellationToken cancellationToken)
    {
        Accounts.Single(a => a.Id == accountId).PasswordHash = passwordHash;
        return Task.CompletedTask;
    }

    public Task AddAsync(LoginSession session, RefreshToken refreshToken, CancellationToken cancellationToken)
    {
        Sessions.Add(session);
        RefreshTokens.Add(refreshToken);
        return Task.CompletedTask;
    }

    public Task<(RefreshToken Token, LoginSession Session)?> FindByRefreshTokenAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        var token = RefreshTokens.FirstOrDefault(t => t.TokenHash.SequenceEqual(tokenHash));
        return Task.FromResult<(RefreshToken, LoginSession)?>(token is null ? null : (token, Sessions.Single(s => s.Id == token.SessionId)));
    }

    public Task<bool> RotateAsync(RefreshToken current, RefreshToken successor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = RefreshTokens.Single(t => t.Id == current.Id);
        if (stored.RotatedAt is not null || Sessions.Single(s => s.Id == stored.SessionId).IsRevoked)
        {
            return Task.FromResult(false);
        }
        stored.RotatedAt = now;
        RefreshTokens.Add(successor);
        return Task.FromResult(true);
    }

    public Task<bool> RevokeAsync(Guid sessionId, Guid accountId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var session = Sessions.FirstOrDefault(s => s.Id == sessionId && s.AccountId == accountId && !s.IsRevoked);
        if (session is null)
        {
            return Task.FromResult(false);
        }
        session.RevokedAt = now;
        session.RevokedReason = reason;
        return Task.FromResult(true);
    }
}

internal sealed class RecordingRevocationList : ISessionRevocationList
{
    public HashSet<string> Revoked { get; } = [];

    public event Action<string>? SessionRevoked;

    public Task RevokeAsync(string sessionId, TimeSpan keepFor)
    {
        if (Revoked.Add(sessionId))
        {
            SessionRevoked?.Invoke(sessionId);
        }
        return Task.CompletedTask;
    }

    public bool IsRevoked(string sessionId) => Revoked.Contains(sessionId);
}

/// <summary>Records each delivery attempt and answers <see cref="Answer"/> (delivered, unless a test says otherwise).</summary>
internal sealed class RecordingOutbox : IOutbox
{
    public List<Guid> Attempted { get; } = [];

    public DeliveryState Answer { get; set; } = DeliveryState.Delivered;

    public Task<DeliveryState> DeliverNowAsync(Guid messageId, CancellationToken cancellationToken)
    {
        Attempted.Add(messageId);
        return Task.FromResult(Answer);
    }
}

/// <summary>
/// A password hasher whose hash is the password behind a version mark, so a test can make a hash of older parameters
/// (<see cref="OlderHashOf"/>). It records what it was asked to verify; <see cref="Busy"/> makes it refuse every call
/// as Argon2id does when its queue is full. Argon2id itself is tested in <see cref="Argon2idPasswordHasherTests"/>.
/// </summary>
internal sealed class FakePasswordHasher : IPasswordHasher
{
    private const string CurrentMark = "current:";
    private const string OlderMark = "older:";

    public bool Busy { get; set; }

    /// <summary>The stored hash of each verification (null for an unknown account).</summary>
    public List<string?> Verified { get; } = [];

    public static string HashOf(string password) => CurrentMark + password;

    public static string OlderHashOf(string password) => OlderMark + password;

    public Task<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        ThrowIfBusy();
        return Task.FromResult(HashOf(password));
    }

    public Task<PasswordCheck> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken)
    {
        ThrowIfBusy();
        Verified.Add(storedHash);
        var current = storedHash == HashOf(password);
        var older = storedHash == OlderHashOf(password);
        return Task.FromResult(new PasswordCheck(current || older, older));
    }

    private void ThrowIfBusy()
    {
        if (Busy)
        {
            throw new PasswordHashingBusyException(retryAfterSeconds: 1);
        }
    }
}

/// <summary>An access token that names what it was issued for: <c>{userId}/{sessionId}/{lifetime in seconds}</c>.</summary>
internal sealed class FakeAccessTokenIssuer : IAccessTokenIssuer
{
    public static string TokenFor(Guid userId, Guid sessionId, TimeSpan lifetime) => $"{userId}/{sessionId}/{lifetime.TotalSeconds}";

    public string Issue(Guid userId, Guid sessionId, TimeSpan lifetime) => TokenFor(userId, sessionId, lifetime);
}

/// <summary>The use cases wired to the fakes, with the default token lifetimes and a meter factory of their own.</summary>
internal sealed class IdentityWorld
{
    public InMemoryIdentityStore Store { get; } = new();
    public RecordingRevocationList Revocations { get; } = new();
    public RecordingOutbox Outbox { get; } = new();
    public FakePasswordHasher Hasher { get; } = new();
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    public TokenLifetimes Lifetimes { get; } = new();
    public IMeterFactory Meters { get; } = TestMeters.NewFactory();
    public IdentityMetrics Metrics { get; }
    public SessionTokens Sessions { get; }

    public IdentityWorld()
    {
        Metrics = new IdentityMetrics(Meters);
        Sessions = new SessionTokens(Store, new FakeAccessTokenIssuer(), Revocations, Options.Create(Lifetimes), Clock, NullLogger<SessionTokens>.Instance);
    }

    public RegisterAccount Register => new(Store, Hasher, Outbox, Clock);
    public Login Login => new(Store, Hasher, Sessions, Metrics, NullLogger<Login>.Instance);
    public RefreshSession Refresh => new(Store, Sessions, Clock, NullLogger<RefreshSession>.Instance);
    public Logout Logout => new(Store, Sessions);
}
