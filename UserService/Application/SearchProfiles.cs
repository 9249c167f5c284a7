using Microsoft.EntityFrameworkCore;
using UserService.Domain;
using UserService.Infrastructure;

namespace UserService.Application;

/// <summary>A list item: the public profile (no email); times of kind Utc so that JSON shows a trailing Z.</summary>
public sealed record PublicProfile(
    Guid Id, string DisplayName, string? Bio, string? AvatarUrl, DateTime CreatedAt, DateTime UpdatedAt);

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
        var rows = total <= (long)(page - 1) * pageSize
            ? []
            : await query.OrderBy(p => p.DisplayName).ThenBy(p => p.Id)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .Select(p => new { p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt, p.UpdatedAt })
                .ToListAsync(cancellationToken);
        var items = rows.Select(p => new PublicProfile(p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt.UtcDateTime, p.UpdatedAt.UtcDateTime)).ToList();

        var result = new ProfilePage(items, page, pageSize, total);
        await cache.SetAsync(key, result);
        return result;
    }
}
