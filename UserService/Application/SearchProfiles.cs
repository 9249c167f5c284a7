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

        var query = Matching(db.Profiles.AsNoTracking(), search);
        var total = await query.CountAsync(cancellationToken);
        var rows = total <= (long)(page - 1) * pageSize
            ? []
            : await Ordered(query, search)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .Select(p => new { p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt, p.UpdatedAt })
                .ToListAsync(cancellationToken);
        var items = rows.Select(p => new PublicProfile(p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt.UtcDateTime, p.UpdatedAt.UtcDateTime)).ToList();

        var result = new ProfilePage(items, page, pageSize, total);
        await cache.SetAsync(key, result);
        return result;
    }

    public static IQueryable<UserProfile> Matching(IQueryable<UserProfile> profiles, string? search) =>
        string.IsNullOrEmpty(search)
            ? profiles
            : profiles.Where(p => EF.Functions.ILike(p.DisplayName, SearchPattern.Contains(search), SearchPattern.EscapeCharacter.ToString()));

    /// <summary>
    /// Without a search term the (display_name, id) b-tree serves ORDER BY … LIMIT directly. With one, the
    /// order key is written <c>display_name || ''</c> so that the planner cannot pick that b-tree: walking it
    /// and filtering row by row took 370 ms at 100 K profiles for a term whose matches sort last, whereas the
    /// trigram bitmap scan plus a top-N sort stays at ~15-90 ms whatever the term (plan in README.md).
    /// </summary>
    public static IOrderedQueryable<UserProfile> Ordered(IQueryable<UserProfile> matching, string? search) =>
        string.IsNullOrEmpty(search)
            ? matching.OrderBy(p => p.DisplayName).ThenBy(p => p.Id)
            : matching.OrderBy(p => p.DisplayName + "").ThenBy(p => p.Id);
}
