using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Gateway.Domain;

namespace UnitTests.Gateway;

/// <summary>
/// Properties of the hand-written JWE reader: whatever arrives, <see cref="JweCompact.TryParse"/> answers null or a
/// parsed JWE (never an exception), a parsed JWE only decrypts to what was encrypted, and encrypt → parse round-trips.
/// </summary>
public sealed class JweCompactPropertyTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Plaintext = "{\"email\":\"a@example.com\"}"u8.ToArray();
    private static readonly string Valid = JweCompact.Encrypt(new JweHeader("kid-1", "application/json", "POST", "/api/auth/login", 1_790_000_000), Plaintext, Key);

    /// <summary>Text without lone surrogates (a .NET string that UTF-8 can carry), non-empty.</summary>
    private static readonly Gen<string> Text = Gen.String[Gen.Char[' ', '\ud7ff'], 1, 40];

    // A cty is a media type: control characters are refused by the parser (they could not be forwarded as a header).
    private static readonly Gen<string> MediaType = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789/+.-; ="], 1, 40];
    private static readonly Gen<string> Base64UrlText = Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"], 0, 60];

    [Fact]
    public void RandomTextIsNeverAnException() =>
        Gen.OneOf(Gen.String, Gen.String[Gen.Char["AB.-_=+/ \u00e9"], 0, 80]).Sample(text => Survives(text), iter: 20_000);

    [Fact]
    public void FiveRandomBase64UrlSegmentsAreNeverAnException() =>
        Base64UrlText.Array[5].Sample(parts => Survives(string.Join('.', parts)), iter: 20_000);

    [Fact]
    public void MutatedValidCompactsAreNeverAnExceptionAndOnlyDecryptToTheOriginal() =>
        Mutation.Sample(mutate =>
        {
            var parsed = Survives(mutate(Valid));
            var decrypted = parsed?.TryDecrypt(Key);
            // Base64url's spare bits may leave the same bytes; anything that still authenticates is the original.
            Assert.True(decrypted is null || decrypted.AsSpan().SequenceEqual(Plaintext));
        }, iter: 20_000);

    [Fact]
    public void AnyProtectedHeaderJsonIsNeverAnException() =>
        HeaderJson.Sample(json =>
        {
            var parts = Valid.Split('.');
            parts[0] = Base64Url.Encode(Encoding.UTF8.GetBytes(json));
            Survives(string.Join('.', parts));
        }, iter: 20_000);

    [Fact]
    public void WhatIsEncryptedParsesToTheSameHeaderAndDecryptsOnlyWithItsKey() =>
        (from kid in Text
         from cty in MediaType
         from htm in Text
         from htu in Text
         from iat in Gen.Long
         from status in Gen.Int[100, 599].Nullable()
         from plaintext in Gen.Byte.Array[0, 2000]
         select (Header: new JweHeader(kid, cty, htm, htu, iat, status), Plaintext: plaintext))
        .Sample(c =>
        {
            var compact = JweCompact.Encrypt(c.Header, c.Plaintext, Key);

            var parsed = JweCompact.TryParse(compact);

            Assert.NotNull(parsed);
            Assert.Equal(c.Header, parsed.Header);
            Assert.Equal(c.Plaintext, parsed.TryDecrypt(Key));
            Assert.Null(parsed.TryDecrypt(RandomNumberGenerator.GetBytes(32)));
        }, iter: 2_000);

    private static ParsedJwe? Survives(string compact)
    {
        var parsed = JweCompact.TryParse(compact);
        parsed?.TryDecrypt(Key);
        return parsed;
    }

    /// <summary>One edit of a string: replace, delete or insert characters, or swap two segments.</summary>
    private static readonly Gen<Func<string, string>> Mutation = Gen.OneOf(
        from at in Gen.Double.Unit from c in Gen.Char select (Func<string, string>)(s => Edit(s, at, 1, c.ToString())),
        from at in Gen.Double.Unit from n in Gen.Int[1, 40] select (Func<string, string>)(s => Edit(s, at, n, "")),
        from at in Gen.Double.Unit from t in Gen.String[0, 10] select (Func<string, string>)(s => Edit(s, at, 0, t)),
        from i in Gen.Int[0, 4] from j in Gen.Int[0, 4] select (Func<string, string>)(s =>
        {
            var parts = s.Split('.');
            (parts[i], parts[j]) = (parts[j], parts[i]);
            return string.Join('.', parts);
        }));

    private static string Edit(string s, double at, int remove, string insert)
    {
        var index = (int)(at * s.Length);
        return s[..index] + insert + s[Math.Min(s.Length, index + remove)..];
    }

    /// <summary>Header objects whose members are any JSON: wrong types, huge numbers, escapes, nesting, duplicates.</summary>
    private static readonly Gen<string> HeaderJson =
        from values in Gen.OneOf(
            "\"dir\"", "\"A256GCM\"", "\"kid-1\"", "1790000000", "1e999999", "-1", "1.5", "true", "null", "[]", "{}",
            "\"\\ud800\"", "\"\\udfff\"", "\"\\u0000\"", "\"x\\ud800y\"", "99999999999999999999999", "[[[[[[[[[[]]]]]]]]]]",
            "\"" + new string('a', 5000) + "\"").Array[7]
        from extra in Gen.OneOf("", ",\"status\":\"x\"", ",\"status\":1e400", ",\"status\":200", ",\"alg\":\"none\"", ",\"iat\":\"\\ud800\"")
        from truncate in Gen.Int[0, 3]
        let json = "{\"alg\":" + values[0] + ",\"enc\":" + values[1] + ",\"kid\":" + values[2] + ",\"cty\":" + values[3] +
                   ",\"htm\":" + values[4] + ",\"htu\":" + values[5] + ",\"iat\":" + values[6] + extra + "}"
        select truncate == 0 ? json[..(json.Length / 2)] : json;
}
