using System.Security.Cryptography;
using System.Text;
using Gateway.Domain;

namespace UnitTests.Gateway;

public sealed class SessionKeyAgreementTests
{
    [Fact]
    public void BothSidesDeriveTheSameKeyAsHkdfOfTheXCoordinate()
    {
        using var client = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var server = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var clientAsSeenByServer = SessionKeyAgreement.TryImportPublicKey(SessionKeyAgreement.ExportPublicKey(client))!;

        var key = SessionKeyAgreement.DeriveSessionKey(server, clientAsSeenByServer, "sid-1");

        var secret = client.DeriveRawSecretAgreement(server.PublicKey);
        var expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, Encoding.UTF8.GetBytes("sid-1"), Encoding.UTF8.GetBytes("gateway-session-v1"));
        Assert.Equal(expected, key);
        Assert.NotEqual(expected, SessionKeyAgreement.DeriveSessionKey(server, clientAsSeenByServer, "sid-2"));
    }

    [Fact]
    public void PointsThatAreNotUncompressedP256PointsAreRefused()
    {
        using var valid = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var point = SessionKeyAgreement.ExportPublicKey(valid);
        var offCurve = point.ToArray();
        offCurve[^1] ^= 1;

        Assert.NotNull(SessionKeyAgreement.TryImportPublicKey(point));
        Assert.Null(SessionKeyAgreement.TryImportPublicKey(offCurve));
        Assert.Null(SessionKeyAgreement.TryImportPublicKey(point[..64]));
        Assert.Null(SessionKeyAgreement.TryImportPublicKey([0x02, .. point[1..33]]));
        Assert.Null(SessionKeyAgreement.TryImportPublicKey(new byte[65]));
    }
}
