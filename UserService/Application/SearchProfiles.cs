namespace UserService.Application;

/// <summary>A list item: the public profile (no email); times of kind Utc so that JSON shows a trailing Z.</summary>
public sealed record PublicProfile(
    Guid Id, string DisplayName, string? Bio, string? AvatarUrl, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ProfilePage(IReadOnlyList<PublicProfile> Items, int Page, int PageSize, int Total);

/// <summary>
/// <c>GET /api/users</c>: case-insensitive literal substring match on displayName, ordered by displayName then
/// id, paged (<see cref="IProfileRepository.SearchAsync"/>); pages cached up to 30 s.
/// </summary>
public sealed class SearchProfiles(IProfileRepository profiles, IPageCache cache)
{
    public async Task<ProfilePage> HandleAsync(string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        if (await cache.GetAsync(search, page, pageSize) is { } cached)
        {
            return cached;
        }

        var (rows, total) = await profiles.SearchAsync(search, page, pageSize, cancellationToken);
        var items = rows
            .Select(p => new PublicProfile(p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt.UtcDateTime, p.UpdatedAt.UtcDateTime))
            .ToList();
        var result = new ProfilePage(items, page, pageSize, total);
        await cache.SetAsync(search, page, pageSize, result);
        return result;
    }
}
