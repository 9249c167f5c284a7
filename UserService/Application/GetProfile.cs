using UserService.Domain;

namespace UserService.Application;

/// <summary>Reads one profile cache-aside: Redis first, PostgreSQL on a miss, then fills Redis.</summary>
public sealed class GetProfile(IProfileRepository profiles, IProfileCache cache)
{
    public async Task<UserProfile?> HandleAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await cache.GetAsync(id) is { } cached)
        {
            return cached;
        }
        var profile = await profiles.FindAsync(id, cancellationToken);
        if (profile is not null)
        {
            await cache.PopulateAsync(profile);
        }
        return profile;
    }
}
