using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Domain;

/// <summary>The protected header fields of contract §5.1 (<c>status</c> only on responses).</summary>
public sealed record JweHeader(string Kid, string Cty, string Htm, string Htu, long Iat, int? Status = null);

/// <summary>
/// JWE compact serialization (RFC 7516) with <c>alg: dir</c> and <c>enc: A256GCM</c>: an empty encrypted key,
/// a 96-bit IV, and the ASCII of the encoded protected header as additional authenticated data.
/// </summary>
public static class JweCompact
{
    private const int IvLength = 12;
    private const int TagLength = 16;

    public static string Encrypt(JweHeader header, ReadOnlySpan<byte> plaintext, byte[] key) =>
        Encoding.ASCII.GetString(EncryptToUtf8(header, plaintext, key));

    /// <summary>The compact serialization as ASCII bytes, written in one buffer (responses go out as bytes).</summary>
    public static byte[] EncryptToUtf8(JweHeader header, ReadOnlySpan<byte> plaintext, byte[] key)
    {
        var json = new JsonObject
        {
            ["alg"] = "dir",
            ["enc"] = "A256GCM",
            ["kid"] = header.Kid,
            ["cty"] = header.Cty,
            ["htm"] = header.Htm,
            ["htu"] = header.Htu,
            ["iat"] = header.Iat,
        };
        if (header.Status is { } status)
        {
            json["status"] = status;
        }

        var encodedHeader = System.Buffers.Text.Base64Url.EncodeToUtf8(Encoding.UTF8.GetBytes(json.ToJsonString()));
        Span<byte> iv = stackalloc byte[IvLength];
        RandomNumberGenerator.Fill(iv);
        Span<byte> tag = stackalloc byte[TagLength];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key, TagLength))
        {
            aes.Encrypt(iv, plaintext, ciphertext, tag, encodedHeader);
        }

        var length = encodedHeader.Length + 2 + Encoded(IvLength) + 1 + Encoded(ciphertext.Length) + 1 + Encoded(TagLength);
        var output = new byte[length];
        var span = output.AsSpan();
        encodedHeader.CopyTo(span);
        var at = encodedHeader.Length;
        span[at++] = (byte)'.';
        span[at++] = (byte)'.';
        at += System.Buffers.Text.Base64Url.EncodeToUtf8(iv, span[at..]);
        span[at++] = (byte)'.';
        at += System.Buffers.Text.Base64Url.EncodeToUtf8(ciphertext, span[at..]);
        span[at++] = (byte)'.';
        System.Buffers.Text.Base64Url.EncodeToUtf8(tag, span[at..]);
        return output;
    }

    private static int Encoded(int bytes) => System.Buffers.Text.Base64Url.GetEncodedLength(bytes);

    /// <summary>Splits and reads the protected header without decrypting, so the session key can be looked up by <c>kid</c>.</summary>
    public static ParsedJwe? TryParse(string compact)
    {
        var parts = compact.Trim().Split('.');
        if (parts.Length != 5 || parts[1].Length != 0)
        {
            return null;
        }
        if (!Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[2], out var iv) ||
            !Base64Url.TryDecode(parts[3], out var ciphertext) || !Base64Url.TryDecode(parts[4], out var tag) ||
            iv.Length != IvLength || tag.Length != TagLength)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(headerBytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                Text(root, "alg") != "dir" || Text(root, "enc") != "A256GCM" ||
                Text(root, "kid") is not { Length: > 0 } kid || Text(root, "cty") is not { Length: > 0 } cty || cty.Any(char.IsControl) ||
                Text(root, "htm") is not { Length: > 0 } htm || Text(root, "htu") is not { Length: > 0 } htu ||
                !root.TryGetProperty("iat", out var iat) || iat.ValueKind != JsonValueKind.Number || !iat.TryGetInt64(out var issuedAt))
            {
                return null;
            }
            int? status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var code) ? code : null;
            return new ParsedJwe(new JweHeader(kid, cty, htm, htu, issuedAt, status), parts[0], iv, ciphertext, tag);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // GetString on a string that is not valid UTF-8 or holds an escaped lone surrogate.
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

public sealed record ParsedJwe(JweHeader Header, string EncodedHeader, byte[] Iv, byte[] Ciphertext, byte[] Tag)
{
    /// <summary>Decrypts with the session key; null when the tag does not verify (wrong key or tampered data).</summary>
    public byte[]? TryDecrypt(byte[] key)
    {
        var plaintext = new byte[Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, Tag.Length);
            aes.Decrypt(Iv, Ciphertext, Tag, plaintext, Encoding.ASCII.GetBytes(EncodedHeader));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>A replay fingerprint: IV and tag together identify one encryption.</summary>
    public string Fingerprint() => Convert.ToHexStringLower(SHA256.HashData([.. Iv, .. Tag]));
}
