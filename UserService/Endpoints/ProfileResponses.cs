using UserService.Domain;

namespace UserService.Endpoints;

// Times are DateTime of kind Utc so that JSON shows them with a trailing Z.

/// <summary>The profile a user sees of themselves (contract §3), with email.</summary>
public sealed record OwnProfileResponse(
    Guid Id, string Email, string DisplayName, string? Bio, string? AvatarUrl, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static OwnProfileResponse From(UserProfile p) =>
        new(p.Id, p.Email, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt.UtcDateTime, p.UpdatedAt.UtcDateTime);
}

/// <summary>What everyone may see of a profile: everything but the email address.</summary>
public sealed record PublicProfileResponse(
    Guid Id, string DisplayName, string? Bio, string? AvatarUrl, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static PublicProfileResponse From(UserProfile p) =>
        new(p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt.UtcDateTime, p.UpdatedAt.UtcDateTime);
}
