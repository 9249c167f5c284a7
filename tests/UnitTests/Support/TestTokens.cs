using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UnitTests.Support;

/// <summary>ES256 access tokens signed by a key of the test's own, for validators under test.</summary>
public static class TestTokens
{
    public static ECDsaSecurityKey NewKey(string keyId = "k1") => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = keyId };

    public static string Sign(SecurityKey key, DateTimeOffset issuedAt, DateTimeOffset expires, string issuer = "iss", string audience = "aud",
        string subject = "user-1") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["sid"] = "s-1" },
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.AddMinutes(-1).UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });

    /// <summary>A well-formed token for the issuer and audience the shared settings default to, valid for an hour.</summary>
    public static string ForDefaultSettings() =>
        Sign(NewKey(), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1), "http://localhost:8080", "distributed-api", Guid.NewGuid().ToString());
}
