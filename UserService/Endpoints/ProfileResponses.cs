using UserService.Domain;

namespace UserService.Endpoints;

/// <summary>The profile a user sees of themselves (contract §3), with email.</summary>
public sealed record OwnProfileResponse(
    Guid Id, string Email, string DisplayName, string? Bio, string? AvatarUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static OwnProfileResponse From(UserProfile p) =>
        new(p.Id, p.Email, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt.ToUniversalTime(), p.UpdatedAt.ToUniversalTime());
}

/// <summary>What everyone may see of a profile: everything but the email address.</summary>
public sealed record PublicProfileResponse(
    Guid Id, string DisplayName, string? Bio, string? AvatarUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PublicProfileResponse From(UserProfile p) =>
        new(p.Id, p.DisplayName, p.Bio, p.AvatarUrl, p.CreatedAt.ToUniversalTime(), p.UpdatedAt.ToUniversalTime());
}
