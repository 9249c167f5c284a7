using IdentityService.Application;
using IdentityService.Domain;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace IdentityService.Infrastructure;

/// <summary>The EF Core/PostgreSQL side of <see cref="IAccountRepository"/> and <see cref="ISessionRepository"/>.</summary>
public sealed class IdentityStore(IdentityDbContext db) : IAccountRepository, ISessionRepository
{
    /// <summary>PostgreSQL's lower(), as the unique index on the generated column compares.</summary>
    public Task<Account?> FindByEmailAsync(string trimmedEmail, CancellationToken cancellationToken) =>
        db.Accounts
            .FromSql($"SELECT * FROM accounts WHERE normalized_email = lower({trimmedEmail})")
            .AsNoTracking()
            .FirstOrDefaultAsync(cancellationToken);

    public async Task<bool> AddWithMessageAsync(Account account, OutboxMessage message, CancellationToken cancellationToken)
    {
        db.Accounts.Add(account);
        db.Outbox.Add(message);
        try
        {
            // One SaveChanges is one transaction: no account without its provisioning message.
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: IdentityDbContext.UniqueEmailIndex })
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    public Task UpdatePasswordHashAsync(Guid accountId, string passwordHash, CancellationToken cancellationToken) =>
        db.Accounts.Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.PasswordHash, passwordHash), cancellationToken);

    public async Task AddAsync(LoginSession session, RefreshToken refreshToken, CancellationToken cancellationToken)
    {
        db.Sessions.Add(session);
        db.RefreshTokens.Add(refreshToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<(RefreshToken Token, LoginSession Session)?> FindByRefreshTokenAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        var found = await db.RefreshTokens.AsNoTracking()
            .Where(t => t.TokenHash == tokenHash)
            .Join(db.Sessions, t => t.SessionId, s => s.Id, (t, s) => new { Token = t, Session = s })
            .FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : (found.Token, found.Session);
    }

    /// <summary>
    /// The conditional UPDATE (<c>rotated_at IS NULL</c>) makes exactly one of two concurrent refreshes win; the
    /// session is checked inside the same transaction because a logout may have come between read and update.
    /// </summary>
    public async Task<bool> RotateAsync(RefreshToken current, RefreshToken successor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var retired = await db.RefreshTokens
            .Where(t => t.Id == current.Id && t.RotatedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RotatedAt, now), cancellationToken);
        if (retired == 0 || !await db.Sessions.AnyAsync(s => s.Id == current.SessionId && s.RevokedAt == null, cancellationToken))
        {
            return false;
        }
        db.RefreshTokens.Add(successor);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> RevokeAsync(Guid sessionId, Guid accountId, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Sessions
            .Where(s => s.Id == sessionId && s.AccountId == accountId && s.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, reason), cancellationToken) > 0;
}
