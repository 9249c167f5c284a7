using System.Security.Cryptography;
using IdentityService.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace UnitTests.Identity;

public sealed class SigningKeyRingTests
{
    [Fact]
    public void OutsideDevelopmentAMissingKeyStopsStartUpNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SigningKeyRing.Create(new TokenOptions(), isDevelopment: false, NullLogger.Instance));

        Assert.Contains("Jwt__SigningKeys__0__Pem", error.Message);
    }

    [Fact]
    public void InDevelopmentAMissingKeyGetsATemporaryOne()
    {
        var ring = SigningKeyRing.Create(new TokenOptions(), isDevelopment: true, NullLogger.Instance);

        Assert.Single(ring.PublicKeys);
    }

    [Fact]
    public void TheFirstPrivateKeySignsAndEveryKeyIsPublishedWithoutItsPrivatePart()
    {
        using var retired = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var active = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new TokenOptions
        {
            SigningKeys =
            [
                new SigningKeyOptions { Kid = "old", Pem = retired.ExportSubjectPublicKeyInfoPem() },
                new SigningKeyOptions { Kid = "new", Pem = active.ExportPkcs8PrivateKeyPem() },
            ],
        };

        var ring = SigningKeyRing.Create(options, isDevelopment: false, NullLogger.Instance);

        Assert.Equal("new", ring.Signer.KeyId);
        var jwks = ring.ToJsonWebKeySet();
        Assert.Equal(["old", "new"], jwks.Keys.Select(k => k.Kid));
        Assert.All(jwks.Keys, k => Assert.Null(k.D));
    }

    [Fact]
    public void ActiveKeyIdChoosesTheSigner()
    {
        using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new TokenOptions
        {
            ActiveKeyId = "b",
            SigningKeys =
            [
                new SigningKeyOptions { Kid = "a", Pem = first.ExportPkcs8PrivateKeyPem() },
                new SigningKeyOptions { Kid = "b", Pem = second.ExportPkcs8PrivateKeyPem() },
            ],
        };

        Assert.Equal("b", SigningKeyRing.Create(options, isDevelopment: false, NullLogger.Instance).Signer.KeyId);
    }

    [Fact]
    public void AKeyOnAnotherCurveIsRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var options = new TokenOptions { SigningKeys = [new SigningKeyOptions { Kid = "k", Pem = p384.ExportPkcs8PrivateKeyPem() }] };

        Assert.Throws<InvalidOperationException>(() => SigningKeyRing.Create(options, isDevelopment: false, NullLogger.Instance));
    }
}
