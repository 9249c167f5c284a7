using UserService.Application;
using UserService.Domain;

namespace UnitTests.Users;

/// <summary>
/// Profiles in a dictionary. Reads hand out copies, as a database would; a save lands only on the version the
/// copy was read at (the row's concurrency token), so a test can change the row in between to force a conflict.
/// </summary>
internal sealed class InMemoryProfiles : IProfileRepository
{
    private readonly Dictionary<Guid, UserProfile> _rows = [];
    private readonly Dictionary<Guid, long> _readAt = [];

    public int Reads { get; private set; }

    /// <summary>Runs after each read for update: a concurrent writer, for the tests that need one.</summary>
    public Action<UserProfile>? AfterReadForUpdate { get; set; }

    public UserProfile this[Guid id] => Copy(_rows[id]);

    public IReadOnlyCollection<UserProfile> All => _rows.Values;

    public void Put(UserProfile profile) => _rows[profile.Id] = Copy(profile);

    public Task<UserProfile?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        Reads++;
        return Task.FromResult(_rows.TryGetValue(id, out var row) ? Copy(row) : null);
    }

    public Task<UserProfile?> FindForUpdateAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!_rows.TryGetValue(id, out var row))
        {
            return Task.FromResult<UserProfile?>(null);
        }
        var copy = Copy(row);
        _readAt[id] = copy.Version;
        AfterReadForUpdate?.Invoke(row);
        return Task.FromResult<UserProfile?>(copy);
    }

    public Task<bool> TrySaveAsync(UserProfile profile, CancellationToken cancellationToken)
    {
        if (_rows[profile.Id].Version != _readAt[profile.Id])
        {
            return Task.FromResult(false);
        }
        _rows[profile.Id] = Copy(profile);
        return Task.FromResult(true);
    }

    public Task<(UserProfile Profile, bool Created)> InsertIfAbsentAsync(UserProfile profile, CancellationToken cancellationToken)
    {
        var created = _rows.TryAdd(profile.Id, Copy(profile));
        return Task.FromResult((Copy(_rows[profile.Id]), created));
    }

    public Task<(IReadOnlyList<UserProfile> Items, int Total)> SearchAsync(string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        var matching = _rows.Values
            .Where(p => string.IsNullOrEmpty(search) || p.DisplayName.Contains(search, StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => p.DisplayName, StringComparer.Ordinal).ThenBy(p => p.Id)
            .ToList();
        IReadOnlyList<UserProfile> items = matching.Skip((page - 1) * pageSize).Take(pageSize).Select(Copy).ToList();
        return Task.FromResult((items, matching.Count));
    }

    public static UserProfile Copy(UserProfile p) => new()
    {
        Id = p.Id, Email = p.Email, DisplayName = p.DisplayName, Bio = p.Bio, AvatarUrl = p.AvatarUrl,
        CreatedAt = p.CreatedAt, UpdatedAt = p.UpdatedAt, Version = p.Version,
    };
}

/// <summary>
/// Entries in a dictionary, kept as Redis keeps them: a fill or replacement never moves an entry to an older
/// version. While <see cref="Unavailable"/> (Redis frozen or down) nothing is read or written, and a replacement
/// reports false, as the real cache does when Redis does not answer in time.
/// </summary>
internal sealed class InMemoryProfileCache : IProfileCache
{
    public Dictionary<Guid, UserProfile> Entries { get; } = [];

    public bool Unavailable { get; set; }

    public Task<UserProfile?> GetAsync(Guid id) =>
        Task.FromResult(!Unavailable && Entries.TryGetValue(id, out var p) ? InMemoryProfiles.Copy(p) : null);

    public Task PopulateAsync(UserProfile profile)
    {
        SetIfNotOlder(profile);
        return Task.CompletedTask;
    }

    public Task<bool> TryReplaceAsync(UserProfile profile) => Task.FromResult(SetIfNotOlder(profile));

    private bool SetIfNotOlder(UserProfile profile)
    {
        if (Unavailable)
        {
            return false;
        }
        if (!Entries.TryGetValue(profile.Id, out var current) || current.Version <= profile.Version)
        {
            Entries[profile.Id] = InMemoryProfiles.Copy(profile);
        }
        return true;
    }
}

internal sealed class InMemoryPageCache : IPageCache
{
    public Dictionary<(string?, int, int), ProfilePage> Pages { get; } = [];

    public Task<ProfilePage?> GetAsync(string? search, int page, int pageSize) =>
        Task.FromResult(Pages.GetValueOrDefault((search, page, pageSize)));

    public Task SetAsync(string? search, int page, int pageSize, ProfilePage value)
    {
        Pages[(search, page, pageSize)] = value;
        return Task.CompletedTask;
    }
}

internal sealed class RecordingProfileEvents : IProfileEvents
{
    public List<Guid> Published { get; } = [];

    public Task PublishProfileChangedAsync(Guid userId)
    {
        Published.Add(userId);
        return Task.CompletedTask;
    }
}
