using System.Security.Cryptography;
using Gateway.Application;
using Gateway.Domain;
using Microsoft.Extensions.Options;
using UnitTests.Support;

namespace UnitTests.Gateway;

/// <summary>CreateSession (contract §5.1 step 1) against an in-memory session key store.</summary>
public sealed class CreateSessionTests
{
    private sealed class InMemorySessionKeys : ISessionKeyStore
    {
        public Dictionary<string, (byte[] Key, TimeSpan Lifetime)> Saved { get; } = [];

        public Task SaveAsync(string sessionId, byte[] sessionKey, TimeSpan lifetime)
        {
            Saved[sessionId] = (sessionKey.ToArray(), lifetime);
            return Task.CompletedTask;
        }
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, 700, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(20);
    private readonly InMemorySessionKeys _keys = new();

    private CreateSession UseCase() => new(_keys, Options.Create(new EncryptionSessionOptions { SessionLifetime = Lifetime }), new ManualClock(Now));

    [Fact]
    public async Task TheClientDerivesTheSameKeyThatIsStoredForTheSession()
    {
        using var client = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

        var created = await UseCase().ExecuteAsync(SessionKeyAgreement.ExportPublicKey(client));

        Assert.NotNull(created);
        var (stored, lifetime) = _keys.Saved[created.SessionId];
        Assert.True(Base64Url.TryDecode(created.PublicKey, out var serverPoint));
        using var server = SessionKeyAgreement.TryImportPublicKey(serverPoint);
        Assert.NotNull(server);
        Assert.Equal(stored, SessionKeyAgreement.DeriveSessionKey(client, server, created.SessionId));
        Assert.Equal(Lifetime, lifetime);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 12, 20, 0, TimeSpan.Zero), created.ExpiresAt);
    }

    [Fact]
    public async Task EverySessionHasItsOwnIdServerKeyAndSessionKey()
    {
        using var client = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var point = SessionKeyAgreement.ExportPublicKey(client);

        var first = await UseCase().ExecuteAsync(point);
        var second = await UseCase().ExecuteAsync(point);

        Assert.NotEqual(first!.SessionId, second!.SessionId);
        Assert.NotEqual(first.PublicKey, second.PublicKey);
        Assert.NotEqual(_keys.Saved[first.SessionId].Key, _keys.Saved[second.SessionId].Key);
    }

    [Fact]
    public async Task APointNotOnTheCurveStoresNothing()
    {
        var point = new byte[SessionKeyAgreement.PublicKeyLength];
        point[0] = 0x04;

        Assert.Null(await UseCase().ExecuteAsync(point));
        Assert.Empty(_keys.Saved);
    }
}
