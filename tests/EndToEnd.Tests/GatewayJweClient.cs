using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EndToEnd.Tests;

/// <summary>
/// The client side of contract §5.1, written here from the contract (independently of the gateway's code): the
/// handshake, JWE compact encryption of requests and decryption of responses.
/// </summary>
public sealed class GatewayJweClient
{
    private GatewayJweClient(string sessionId, byte[] key, JsonElement handshake)
    {
        SessionId = sessionId;
        Key = key;
        Handshake = handshake;
    }

    public string SessionId { get; }

    public byte[] Key { get; }

    public JsonElement Handshake { get; }

    public static async Task<GatewayJweClient> StartAsync(HttpClient gateway)
    {
        using var own = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = own.ExportParameters(false).Q;
        var response = await gateway.PostAsJsonAsync("/api/session", new { publicKey = B64([0x04, .. q.X!, .. q.Y!]) });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = body.GetProperty("sessionId").GetString()!;
        var point = FromB64(body.GetProperty("publicKey").GetString()!);
        using var server = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..] },
        });
        var secret = own.DeriveRawSecretAgreement(server.PublicKey);
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, Encoding.UTF8.GetBytes(sessionId), "gateway-session-v1"u8.ToArray());
        return new GatewayJweClient(sessionId, key, body);
    }

    public string Encrypt(string method, string target, string contentType, string plaintext, long? iat = null, string? kid = null, byte[]? key = null)
    {
        var header = new JsonObject
        {
            ["alg"] = "dir", ["enc"] = "A256GCM", ["kid"] = kid ?? SessionId, ["cty"] = contentType,
            ["htm"] = method, ["htu"] = target, ["iat"] = iat ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        return Seal(B64(Encoding.UTF8.GetBytes(header.ToJsonString())), Encoding.UTF8.GetBytes(plaintext), key);
    }

    /// <summary>Encrypts raw bytes under any encoded protected header (which need not be valid: the sweep sends such).</summary>
    public string Seal(string encodedHeader, byte[] plaintext, byte[]? key = null)
    {
        var iv = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(key ?? Key, 16);
        aes.Encrypt(iv, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(encodedHeader));
        return $"{encodedHeader}..{B64(iv)}.{B64(ciphertext)}.{B64(tag)}";
    }

    public HttpRequestMessage EncryptedRequest(HttpMethod method, string target, object body, long? iat = null) => new(method, target)
    {
        Content = Jose(Encrypt(method.Method, target, "application/json", JsonSerializer.Serialize(body), iat)),
    };

    public static StringContent Jose(string compact) => new(compact, Encoding.ASCII, "application/jose");

    /// <summary>Decrypts a response body; returns its protected header and plaintext.</summary>
    public (JsonElement Header, string Plaintext) Decrypt(string compact)
    {
        var parts = compact.Split('.');
        Assert.Equal(5, parts.Length);
        Assert.Equal("", parts[1]);
        var header = JsonDocument.Parse(FromB64(parts[0])).RootElement;
        Assert.Equal("dir", header.GetProperty("alg").GetString());
        Assert.Equal("A256GCM", header.GetProperty("enc").GetString());
        Assert.Equal(SessionId, header.GetProperty("kid").GetString());
        var ciphertext = FromB64(parts[3]);
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(Key, 16);
        aes.Decrypt(FromB64(parts[2]), ciphertext, FromB64(parts[4]), plaintext, Encoding.ASCII.GetBytes(parts[0]));
        return (header, Encoding.UTF8.GetString(plaintext));
    }

    public async Task<(JsonElement Header, string Plaintext)> DecryptAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/jose", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        return Decrypt(await response.Content.ReadAsStringAsync());
    }

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromB64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
