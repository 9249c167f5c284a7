using UserService.Domain;

namespace UserService.Application;

public abstract record UpdateResult
{
    public sealed record Updated(UserProfile Profile) : UpdateResult;

    public sealed record NotFound : UpdateResult;

    /// <summary>The caller's <c>If-Match</c> names a version that is no longer the current one.</summary>
    public sealed record PreconditionFailed(UserProfile Current) : UpdateResult;

    /// <summary>
    /// The row holds the change, but the cache could not be made to show it: readers may still get the older
    /// entry, so the write must not be acknowledged (503 + <c>Retry-After</c>). The same PATCH sent again changes
    /// nothing in the row and succeeds once the cache shows it.
    /// </summary>
    public sealed record CacheBehind(UserProfile Profile) : UpdateResult;
}

/// <summary>
/// <c>PATCH /api/users/me</c>: applies the patch to the current row under optimistic concurrency and publishes a
/// <c>data_update</c> event. It reports <see cref="UpdateResult.Updated"/> only once the cache entry holds this
/// version or a newer one — also when the patch changed nothing, which is how a PATCH repeated after a 503 ends —
/// so that no read after a 200, on any replica, finds an older profile in the cache (read-your-writes; README §
/// Cache). Without <c>If-Match</c> a concurrent write is retried on the fresh row.
/// </summary>
public sealed class UpdateOwnProfile(
    IProfileRepository profiles, IProfileCache cache, IProfileEvents events, TimeProvider time)
{
    private const int MaxAttempts = 5;

    public async Task<UpdateResult> HandleAsync(Guid id, ProfilePatch patch, string? ifMatch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var profile = await profiles.FindForUpdateAsync(id, cancellationToken);
            if (profile is null)
            {
                return new UpdateResult.NotFound();
            }
            if (!Matches(ifMatch, profile.ETag))
            {
                return new UpdateResult.PreconditionFailed(profile);
            }
            if (!profile.Apply(patch, time.GetUtcNow()))
            {
                return await AcknowledgeAsync(profile);
            }
            if (!await profiles.TrySaveAsync(profile, cancellationToken))
            {
                if (attempt < MaxAttempts)
                {
                    continue;
                }
                throw new InvalidOperationException($"Profile {id} changed concurrently {MaxAttempts} times in a row.");
            }
            var result = await AcknowledgeAsync(profile);
            await events.PublishProfileChangedAsync(profile.Id); // the change is committed either way
            return result;
        }
    }

    /// <summary>Updated only once the cache cannot show an older version any more (<see cref="IProfileCache.TryReplaceAsync"/>).</summary>
    private async Task<UpdateResult> AcknowledgeAsync(UserProfile profile) =>
        await cache.TryReplaceAsync(profile) ? new UpdateResult.Updated(profile) : new UpdateResult.CacheBehind(profile);

    /// <summary>RFC 9110 §13.1.1: <c>*</c> or a list of entity tags; weak tags never match (strong comparison).</summary>
    private static bool Matches(string? ifMatch, string currentETag)
    {
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return true;
        }
        foreach (var tag in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (tag == "*" || tag == currentETag)
            {
                return true;
            }
        }
        return false;
    }
}
