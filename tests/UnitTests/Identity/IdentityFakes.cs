using IdentityService.Application;
using IdentityService.Domain;
using IdentityService.Infrastructure;
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

internal sealed class RecordingOutbox : IOutbox
{
    public List<Guid> Attempted { get; } = [];

    public Task TryDeliverNowAsync(Guid messageId, CancellationToken cancellationToken)
    {
        Attempted.Add(messageId);
        return Task.CompletedTask;
    }
}

/// <summary>The use cases wired to the fakes; Argon2id with tiny parameters so that a test hashes in microseconds.</summary>
internal sealed class IdentityWorld
{
    public InMemoryIdentityStore Store { get; } = new();
    public RecordingRevocationList Revocations { get; } = new();
    public RecordingOutbox Outbox { get; } = new();
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    public IdentityMetrics Metrics { get; }
    public Argon2idPasswordHasher Hasher { get; }
    public SessionTokens Sessions { get; }

    public IdentityWorld(PasswordHashingOptions? hashing = null)
    {
        Metrics = new IdentityMetrics(TestMeters.Factory, TestMeters.Scopes, Clock);
        Hasher = new Argon2idPasswordHasher(Options.Create(hashing ?? Hashing(memoryKib: 64)), Metrics);
        var tokens = Options.Create(new TokenOptions());
        var issuer = new AccessTokenIssuer(SigningKeyRing.Create(tokens.Value, isDevelopment: true, NullLogger.Instance), tokens, Clock);
        Sessions = new SessionTokens(Store, issuer, Revocations, tokens, Clock, NullLogger<SessionTokens>.Instance);
    }

    public static PasswordHashingOptions Hashing(int memoryKib) => new() { MemoryKib = memoryKib, Iterations = 1, Parallelism = 1 };

    public RegisterAccount Register => new(Store, Hasher, Outbox, Clock);
    public Login Login => new(Store, Hasher, Sessions, Metrics, NullLogger<Login>.Instance);
    public RefreshSession Refresh => new(Store, Sessions, Clock, NullLogger<RefreshSession>.Instance);
    public Logout Logout => new(Store, Sessions);
}
