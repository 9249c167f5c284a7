using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace IdentityService.Infrastructure;

/// <summary>
/// The ES256 (P-256) keys: one active signer and any number of verify-only keys, all published in the JWK
/// set so that a key can be rotated without invalidating tokens already issued.
/// </summary>
public sealed class SigningKeyRing
{
    private SigningKeyRing(ECDsaSecurityKey signer, IReadOnlyList<ECDsaSecurityKey> publicKeys)
    {
        Signer = signer;
        PublicKeys = publicKeys;
    }

    public ECDsaSecurityKey Signer { get; }

    /// <summary>Public halves of every key, the signer's included.</summary>
    public IReadOnlyList<ECDsaSecurityKey> PublicKeys { get; }

    public static SigningKeyRing Create(TokenOptions options, bool isDevelopment, ILogger logger)
    {
        var configured = options.SigningKeys.Where(k => !string.IsNullOrWhiteSpace(k.Pem)).ToList();
        if (configured.Count == 0)
        {
            if (!isDevelopment)
            {
                throw new InvalidOperationException(
                    "No access-token signing key is configured. Set Jwt:SigningKeys:0:Kid and Jwt:SigningKeys:0:Pem " +
                    "(a PKCS#8 PEM of an ES256 P-256 private key), e.g. through the environment variables " +
                    "Jwt__SigningKeys__0__Kid and Jwt__SigningKeys__0__Pem.");
            }
            logger.LogWarning("No signing key configured: using a temporary key; tokens stop verifying when this process ends");
            var ephemeral = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            configured = [new SigningKeyOptions { Kid = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)), Pem = ephemeral.ExportPkcs8PrivateKeyPem() }];
        }

        var keys = configured.Select(Load).ToList();
        if (keys.Select(k => k.KeyId).Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            throw new InvalidOperationException("Jwt:SigningKeys has two keys with the same Kid.");
        }
        var signer = string.IsNullOrWhiteSpace(options.ActiveKeyId)
            ? keys.FirstOrDefault(HasPrivateKey)
            : keys.FirstOrDefault(k => k.KeyId == options.ActiveKeyId && HasPrivateKey(k));
        if (signer is null)
        {
            throw new InvalidOperationException(
                "None of Jwt:SigningKeys holds a private key (or Jwt:ActiveKeyId names none that does); the identity service cannot sign tokens.");
        }
        var publicKeys = keys.Select(k =>
        {
            var publicOnly = ECDsa.Create(k.ECDsa.ExportParameters(includePrivateParameters: false));
            return new ECDsaSecurityKey(publicOnly) { KeyId = k.KeyId };
        }).ToList();
        return new SigningKeyRing(signer, publicKeys);
    }

    public JsonWebKeySet ToJsonWebKeySet()
    {
        var set = new JsonWebKeySet();
        foreach (var key in PublicKeys)
        {
            var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(key);
            jwk.Use = "sig";
            jwk.Alg = SecurityAlgorithms.EcdsaSha256;
            set.Keys.Add(jwk);
        }
        return set;
    }

    private static bool HasPrivateKey(ECDsaSecurityKey key)
    {
        try
        {
            return key.ECDsa.ExportParameters(includePrivateParameters: true).D is { Length: > 0 };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static ECDsaSecurityKey Load(SigningKeyOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Kid))
        {
            throw new InvalidOperationException("Every entry of Jwt:SigningKeys needs a Kid.");
        }
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(options.Pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new InvalidOperationException($"Jwt signing key '{options.Kid}' is not a valid PEM EC key.", e);
        }
        if (ecdsa.KeySize != 256)
        {
            throw new InvalidOperationException($"Jwt signing key '{options.Kid}' must be on curve P-256 (ES256).");
        }
        return new ECDsaSecurityKey(ecdsa) { KeyId = options.Kid };
    }
}
