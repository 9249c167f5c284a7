using System.Security.Cryptography;
using System.Text;
using Gateway.Domain;

namespace UnitTests.Gateway;

public sealed class JweCompactTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly JweHeader Header = new("session-1", "application/json", "POST", "/api/auth/login?x=1", 1_790_000_000);

    [Fact]
    public void WhatIsEncryptedDecryptsWithTheSameKeyAndKeepsItsHeader()
    {
        var compact = JweCompact.Encrypt(Header with { Status = 201 }, "{\"a\":1}"u8, Key);

        var parsed = JweCompact.TryParse(compact);

        Assert.NotNull(parsed);
        Assert.Equal(Header with { Status = 201 }, parsed.Header);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(parsed.TryDecrypt(Key)!));
        Assert.Equal("", compact.Split('.')[1]);
    }

    [Fact]
    public void AnotherKeyOrAChangedHeaderDoesNotDecrypt()
    {
        var compact = JweCompact.Encrypt(Header, "secret"u8, Key);
        var parts = compact.Split('.');
        var otherHeader = JweCompact.Encrypt(Header with { Htm = "GET" }, "x"u8, Key).Split('.')[0];

        Assert.Null(JweCompact.TryParse(compact)!.TryDecrypt(RandomNumberGenerator.GetBytes(32)));
        Assert.Null(JweCompact.TryParse(string.Join('.', otherHeader, "", parts[2], parts[3], parts[4]))!.TryDecrypt(Key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b.c")]
    [InlineData("a.b.c.d.e")]
    [InlineData("e30..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA")]
    public void NonsenseIsNotAJwe(string text) => Assert.Null(JweCompact.TryParse(text));

    [Fact]
    public void OtherAlgorithmsAreRefused()
    {
        var header = Base64Url.Encode("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"k\",\"cty\":\"a/b\",\"htm\":\"GET\",\"htu\":\"/\",\"iat\":1}"u8);
        var parts = JweCompact.Encrypt(Header, "x"u8, Key).Split('.');

        Assert.Null(JweCompact.TryParse(string.Join('.', header, "", parts[2], parts[3], parts[4])));
    }
}
