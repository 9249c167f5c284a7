using UserService.Domain;

namespace UserService.Application;

// What the use cases need from the outside world. Infrastructure implements them with EF Core/PostgreSQL
// (ProfileRepository) and Redis (ProfileCache, ListCache, RealtimeEventPublisher); the unit tests with in-memory fakes.

public interface IProfileRepository
{
    /// <summary>A read-only copy of the profile, or null.</summary>
    Task<UserProfile?> FindAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A fresh copy of the current row to change and hand to <see cref="TrySaveAsync"/>.</summary>
    Task<UserProfile?> FindForUpdateAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Saves a copy from <see cref="FindForUpdateAsync"/> only if nobody changed the row since; false otherwise.</summary>
    Task<bool> TrySaveAsync(UserProfile profile, CancellationToken cancellationToken);

    /// <summary>Creates the profile unless one with its id exists (also under a concurrent insert); returns the stored one.</summary>
    Task<(UserProfile Profile, bool Created)> InsertIfAbsentAsync(UserProfile profile, CancellationToken cancellationToken);

    /// <summary>Case-insensitive literal substring match on displayName, ordered by displayName then id.</summary>
    Task<(IReadOnlyList<UserProfile> Items, int Total)> SearchAsync(string? search, int page, int pageSize, CancellationToken cancellationToken);
}

/// <summary>
/// Cache-aside for single profiles. An entry only ever moves to an equal or newer version, so once
/// <see cref="TryReplaceAsync"/> has returned true no reader can find an older one. Never throws: Redis trouble is a
/// miss (reads), nothing (fills) or false (replacements, which are then retried in the background).
/// </summary>
public interface IProfileCache
{
    Task<UserProfile?> GetAsync(Guid id);

    /// <summary>Fills the cache after a miss; best effort.</summary>
    Task PopulateAsync(UserProfile profile);

    /// <summary>
    /// Makes the entry hold this version (or a newer one). True once Redis has done it; false when Redis did not
    /// answer in time — the entry may then still hold an older version until the background retry lands.
    /// </summary>
    Task<bool> TryReplaceAsync(UserProfile profile);
}

/// <summary>Short-lived cache of list pages. Never throws.</summary>
public interface IPageCache
{
    Task<ProfilePage?> GetAsync(string? search, int page, int pageSize);

    Task SetAsync(string? search, int page, int pageSize, ProfilePage value);
}

/// <summary>Internal contract 2: profile changes for the realtime service. Never throws (deferred when Redis is away).</summary>
public interface IProfileEvents
{
    Task PublishProfileChangedAsync(Guid userId);
}
