namespace IdentityService.Infrastructure;

/// <summary>
/// <c>Jwt</c> settings. <c>Issuer</c>/<c>Audience</c> come from the AppHost (internal contract 4); signing keys
/// as <c>Jwt:SigningKeys:N:Kid</c> and <c>Jwt:SigningKeys:N:Pem</c> (a PKCS#8 private key, or a public key
/// for a retired signer whose tokens must still verify). <c>Jwt:ActiveKeyId</c> picks the signer; by default
/// the first entry that holds a private key. The token lifetimes in the same section are the use cases'
/// (<see cref="Application.TokenLifetimes"/>).
/// </summary>
public sealed class TokenOptions
{
    public const string Section = "Jwt";

    public string Issuer { get; set; } = "http://localhost:8080";

    public string Audience { get; set; } = "distributed-api";

    public string? ActiveKeyId { get; set; }

    public List<SigningKeyOptions> SigningKeys { get; set; } = [];
}

public sealed class SigningKeyOptions
{
    public string Kid { get; set; } = "";

    public string Pem { get; set; } = "";
}
