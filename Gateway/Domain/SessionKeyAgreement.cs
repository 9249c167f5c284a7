using System.Security.Cryptography;
using System.Text;

namespace Gateway.Domain;

/// <summary>
/// Contract §5.1 step 2: ECDH on P-256, the 32-byte x coordinate as shared secret, then
/// HKDF-SHA256(ikm = secret, salt = UTF-8(sessionId), info = UTF-8("gateway-session-v1"), 32 bytes).
/// </summary>
public static class SessionKeyAgreement
{
    public const string Info = "gateway-session-v1";
    public const int PublicKeyLength = 65;
    public const int KeyLength = 32;

    /// <summary>
    /// Imports a client's uncompressed point (0x04 || X || Y). Returns null when it is not one, or not on the curve:
    /// the import validates the point, so an invalid-curve attack never reaches the key agreement.
    /// </summary>
    public static ECDiffieHellman? TryImportPublicKey(ReadOnlySpan<byte> point)
    {
        if (point.Length != PublicKeyLength || point[0] != 0x04)
        {
            return null;
        }

        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportParameters(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33].ToArray(), Y = point[33..].ToArray() },
            });
            return key;
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return null;
        }
    }

    public static byte[] ExportPublicKey(ECDiffieHellman key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    public static byte[] DeriveSessionKey(ECDiffieHellman own, ECDiffieHellman peer, string sessionId)
    {
        var secret = own.DeriveRawSecretAgreement(peer.PublicKey);
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, KeyLength,
                salt: Encoding.UTF8.GetBytes(sessionId), info: Encoding.UTF8.GetBytes(Info));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
