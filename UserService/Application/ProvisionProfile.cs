using Microsoft.EntityFrameworkCore;
using UserService.Domain;
using UserService.Infrastructure;

namespace UserService.Application;

public sealed record ProvisionRequest(Guid UserId, string Email, string DisplayName, DateTimeOffset CreatedAt);

/// <summary>
/// Internal contract 1: the identity service's outbox delivers each new account here, possibly more than
/// once. The first delivery creates the profile; a repeat with the same userId changes nothing.
/// </summary>
public sealed class ProvisionProfile(UsersDbContext db)
{
    public async Task<(UserProfile Profile, bool Created)> HandleAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        var createdAt = request.CreatedAt.ToUniversalTime();
        // INSERT … ON CONFLICT DO NOTHING: two deliveries racing on two replicas cannot both create, nor fail.
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO profiles (id, email, display_name, bio, avatar_url, created_at, updated_at, version)
            VALUES ({request.UserId}, {request.Email}, {request.DisplayName}, NULL, NULL, {createdAt}, {createdAt}, 1)
            ON CONFLICT (id) DO NOTHING
            """,
            cancellationToken);
        var profile = await db.Profiles.AsNoTracking().SingleAsync(p => p.Id == request.UserId, cancellationToken);
        return (profile, inserted == 1);
    }
}
