namespace UserService.Domain;

/// <summary>
/// A user's profile. The identity service owns the account (and the email address); this service owns
/// what the user tells others about themselves. <see cref="Version"/> grows by one on every change and
/// is what the ETag and the cache entries are compared by.
/// </summary>
public sealed class UserProfile
{
    public required Guid Id { get; init; }

    public required string Email { get; init; }

    public required string DisplayName { get; set; }

    public string? Bio { get; set; }

    public string? AvatarUrl { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public long Version { get; set; } = 1;

    public string ETag => $"\"{Version}\"";

    /// <summary>Applies the fields the patch names; returns false (and changes nothing) when it names none that differ.</summary>
    public bool Apply(ProfilePatch patch, DateTimeOffset now)
    {
        var changed = false;
        if (patch.DisplayName.IsSet && patch.DisplayName.Value != DisplayName)
        {
            DisplayName = patch.DisplayName.Value!;
            changed = true;
        }
        if (patch.Bio.IsSet && patch.Bio.Value != Bio)
        {
            Bio = patch.Bio.Value;
            changed = true;
        }
        if (patch.AvatarUrl.IsSet && patch.AvatarUrl.Value != AvatarUrl)
        {
            AvatarUrl = patch.AvatarUrl.Value;
            changed = true;
        }
        if (changed)
        {
            UpdatedAt = now;
            Version++;
        }
        return changed;
    }
}
