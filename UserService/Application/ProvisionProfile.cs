using UserService.Domain;

namespace UserService.Application;

public sealed record ProvisionRequest(Guid UserId, string Email, string DisplayName, DateTimeOffset CreatedAt);

/// <summary>
/// Internal contract 1: the identity service's outbox delivers each new account here, possibly more than
/// once. The first delivery creates the profile; a repeat with the same userId changes nothing.
/// </summary>
public sealed class ProvisionProfile(IProfileRepository profiles)
{
    public Task<(UserProfile Profile, bool Created)> HandleAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        var createdAt = request.CreatedAt.ToUniversalTime();
        return profiles.InsertIfAbsentAsync(new UserProfile
        {
            Id = request.UserId,
            Email = request.Email,
            DisplayName = request.DisplayName,
            CreatedAt = createdAt,
            UpdatedAt = createdAt,
            Version = 1,
        }, cancellationToken);
    }
}
