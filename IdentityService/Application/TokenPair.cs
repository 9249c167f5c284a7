namespace IdentityService.Application;

/// <summary>The token pair of contract §2; <c>tokenType</c> is always <c>Bearer</c>.</summary>
public sealed record TokenPair(
    string AccessToken,
    string RefreshToken,
    string TokenType,
    int ExpiresIn,
    int RefreshExpiresIn,
    Guid UserId);
