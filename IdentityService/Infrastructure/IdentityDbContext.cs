using IdentityService.Domain;
using Microsoft.EntityFrameworkCore;

namespace IdentityService.Infrastructure;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();

    public DbSet<LoginSession> Sessions => Set<LoginSession>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Account>(account =>
        {
            account.ToTable("accounts");
            account.HasKey(a => a.Id);
            account.Property(a => a.Id).HasColumnName("id").ValueGeneratedNever();
            account.Property(a => a.Email).HasColumnName("email").IsRequired();
            // Case-insensitive uniqueness is the database's job: a generated lower(email) column with a unique index.
            account.Property<string>(NormalizedEmailColumn).HasColumnName(NormalizedEmailColumn)
                .HasComputedColumnSql("lower(email)", stored: true);
            account.HasIndex(NormalizedEmailColumn).IsUnique().HasDatabaseName(UniqueEmailIndex);
            account.Property(a => a.DisplayName).HasColumnName("display_name").IsRequired();
            account.Property(a => a.PasswordHash).HasColumnName("password_hash").IsRequired();
            account.Property(a => a.CreatedAt).HasColumnName("created_at");
        });

        model.Entity<LoginSession>(session =>
        {
            session.ToTable("login_sessions");
            session.HasKey(s => s.Id);
            session.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
            session.Property(s => s.AccountId).HasColumnName("account_id");
            session.Property(s => s.CreatedAt).HasColumnName("created_at");
            session.Property(s => s.RevokedAt).HasColumnName("revoked_at");
            session.Property(s => s.RevokedReason).HasColumnName("revoked_reason");
            session.Ignore(s => s.IsRevoked);
            session.HasOne<Account>().WithMany().HasForeignKey(s => s.AccountId).OnDelete(DeleteBehavior.Cascade);
            session.HasIndex(s => s.AccountId);
        });

        model.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.HasKey(t => t.Id);
            token.Property(t => t.Id).HasColumnName("id").ValueGeneratedNever();
            token.Property(t => t.SessionId).HasColumnName("session_id");
            token.Property(t => t.TokenHash).HasColumnName("token_hash").IsRequired();
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.Property(t => t.CreatedAt).HasColumnName("created_at");
            token.Property(t => t.ExpiresAt).HasColumnName("expires_at");
            token.Property(t => t.RotatedAt).HasColumnName("rotated_at");
            token.HasOne<LoginSession>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
            token.HasIndex(t => t.SessionId);
        });

        model.Entity<OutboxMessage>(message =>
        {
            message.ToTable("outbox_messages");
            message.HasKey(m => m.Id);
            message.Property(m => m.Id).HasColumnName("id").ValueGeneratedNever();
            message.Property(m => m.Type).HasColumnName("type").IsRequired();
            message.Property(m => m.Payload).HasColumnName("payload").HasColumnType("jsonb").IsRequired();
            message.Property(m => m.CreatedAt).HasColumnName("created_at");
            message.Property(m => m.Attempts).HasColumnName("attempts");
            message.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
            message.Property(m => m.DeliveredAt).HasColumnName("delivered_at");
            message.Property(m => m.DeadLetteredAt).HasColumnName("dead_lettered_at");
            message.Property(m => m.LastError).HasColumnName("last_error");
            message.HasIndex(m => m.NextAttemptAt).HasFilter("delivered_at IS NULL AND dead_lettered_at IS NULL").HasDatabaseName("ix_outbox_pending");
            message.HasIndex(m => m.DeadLetteredAt).HasFilter("dead_lettered_at IS NOT NULL").HasDatabaseName("ix_outbox_dead_letters");
        });
    }

    public const string NormalizedEmailColumn = "normalized_email";
    public const string UniqueEmailIndex = "ux_accounts_normalized_email";
}
