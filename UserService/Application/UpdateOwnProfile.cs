using UserService.Domain;

namespace UserService.Application;

public abstract record UpdateResult
{
    public sealed record Updated(UserProfile Profile) : UpdateResult;

    public sealed record NotFound : UpdateResult;

    /// <summary>The caller's <c>If-Match</c> names a version that is no longer the current one.</summary>
    public sealed record PreconditionFailed(UserProfile Current) : UpdateResult;
}

/// <summary>
/// <c>PATCH /api/users/me</c>: applies the patch to the current row under optimistic concurrency, replaces
/// the cache entry before answering (a read after the write never sees the old value), and publishes a
/// <c>data_update</c> event. Without <c>If-Match</c> a concurrent write is retried on the fresh row.
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
                return new UpdateResult.Updated(profile);
            }
            if (!await profiles.TrySaveAsync(profile, cancellationToken))
            {
                if (attempt < MaxAttempts)
                {
                    continue;
                }
                throw new InvalidOperationException($"Profile {id} changed concurrently {MaxAttempts} times in a row.");
            }
            await cache.ReplaceAfterWriteAsync(profile);
            await events.PublishProfileChangedAsync(profile.Id);
            return new UpdateResult.Updated(profile);
        }
    }

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
