namespace IdentityService.Application;

/// <summary>
/// How long the tokens of a session live, bound from the <c>Jwt</c> section (<c>Jwt:AccessTokenLifetimeSeconds</c>,
/// <c>Jwt:RefreshTokenLifetimeSeconds</c>). The rest of that section — issuer, audience, signing keys — is the
/// signer's (<c>Infrastructure/TokenOptions.cs</c>).
/// </summary>
public sealed class TokenLifetimes
{
    public const string Section = "Jwt";

    public int AccessTokenLifetimeSeconds { get; set; } = 900;

    public int RefreshTokenLifetimeSeconds { get; set; } = 2_592_000;

    public TimeSpan AccessTokenLifetime => TimeSpan.FromSeconds(AccessTokenLifetimeSeconds);

    public TimeSpan RefreshTokenLifetime => TimeSpan.FromSeconds(RefreshTokenLifetimeSeconds);
}
