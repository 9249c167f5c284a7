using Microsoft.EntityFrameworkCore;
using UserService.Domain;

namespace UserService.Infrastructure;

public sealed class UsersDbContext(DbContextOptions<UsersDbContext> options) : DbContext(options)
{
    public DbSet<UserProfile> Profiles => Set<UserProfile>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Trigram index: a case-insensitive substring search (ILIKE '%term%') stays an index scan at 100 K rows.
        modelBuilder.HasPostgresExtension("pg_trgm");

        var profile = modelBuilder.Entity<UserProfile>();
        profile.ToTable("profiles");
        profile.HasKey(p => p.Id);
        profile.Property(p => p.Id).HasColumnName("id").ValueGeneratedNever();
        profile.Property(p => p.Email).HasColumnName("email").HasMaxLength(320);
        profile.Property(p => p.DisplayName).HasColumnName("display_name").HasMaxLength(256);
        profile.Property(p => p.Bio).HasColumnName("bio").HasMaxLength(1024);
        profile.Property(p => p.AvatarUrl).HasColumnName("avatar_url").HasMaxLength(2048);
        profile.Property(p => p.CreatedAt).HasColumnName("created_at");
        profile.Property(p => p.UpdatedAt).HasColumnName("updated_at");
        // Optimistic concurrency: an UPDATE only lands on the version it was read at.
        profile.Property(p => p.Version).HasColumnName("version").IsConcurrencyToken();
        profile.Ignore(p => p.ETag);

        profile.HasIndex(p => p.DisplayName)
            .HasDatabaseName("ix_profiles_display_name_trgm")
            .HasMethod("gin")
            .HasOperators("gin_trgm_ops");
        // Serves "ORDER BY display_name, id LIMIT n" for the unfiltered list.
        profile.HasIndex(p => new { p.DisplayName, p.Id }).HasDatabaseName("ix_profiles_display_name_id");
    }
}
