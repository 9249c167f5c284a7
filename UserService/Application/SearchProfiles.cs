using Microsoft.EntityFrameworkCore;
using UserService.Domain;
using UserService.Infrastructure;

namespace UserService.Application;

public sealed record PublicProfile(
    Guid Id, string DisplayName, string? Bio, string? AvatarUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PublicProfile From(UserProfile p) => new(p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt, p.UpdatedAt);
}

public sealed record ProfilePage(IReadOnlyList<PublicProfile> Items, int Page, int PageSize, int Total);

/// <summary>
/// <c>GET /api/users</c>: case-insensitive literal substring match on displayName (ILIKE with %, _ and \
/// escaped, served by the trigram index), ordered by displayName then id, paged; pages cached up to 30 s.
/// </summary>
public sealed class SearchProfiles(UsersDbContext db, ListCache cache)
{
    public async Task<ProfilePage> HandleAsync(string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        var key = ListCache.Key(search, page, pageSize);
        if (await cache.GetAsync<ProfilePage>(key) is { } cached)
        {
            return cached;
        }

        var query = db.Profiles.AsNoTracking();
        if (!string.IsNullOrEmpty(search))
        {
            var pattern = SearchPattern.Contains(search);
            query = query.Where(p => EF.Functions.ILike(p.DisplayName, pattern, SearchPattern.EscapeCharacter.ToString()));
        }
        var total = await query.CountAsync(cancellationToken);
        var items = total <= (long)(page - 1) * pageSize
            ? []
            : await query.OrderBy(p => p.DisplayName).ThenBy(p => p.Id)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .Select(p => new PublicProfile(p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt, p.UpdatedAt))
                .ToListAsync(cancellationToken);

        var result = new ProfilePage(items, page, pageSize, total);
        await cache.SetAsync(key, result);
        return result;
    }
}
