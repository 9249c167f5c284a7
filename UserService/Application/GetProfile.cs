using Microsoft.EntityFrameworkCore;
using UserService.Domain;
using UserService.Infrastructure;

namespace UserService.Application;

/// <summary>Reads one profile cache-aside: Redis first, PostgreSQL on a miss, then fills Redis.</summary>
public sealed class GetProfile(UsersDbContext db, ProfileCache cache)
{
    public async Task<UserProfile?> HandleAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await cache.GetAsync(id) is { } cached)
        {
            return cached;
        }
        var profile = await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (profile is not null)
        {
            await cache.PopulateAsync(profile);
        }
        return profile;
    }
}
