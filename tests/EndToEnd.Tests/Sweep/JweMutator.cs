using System.Text;
using System.Text.Json.Nodes;

namespace EndToEnd.Tests.Sweep;

/// <summary>Malformed JWE envelopes (contract §5.1): the gateway refuses each with 400 (or 401 for an unknown session).</summary>
public sealed class JweMutator(Random random, GatewayJweClient session)
{
    private static readonly HashSet<int> Refused = [400, 401];

    /// <summary>The encoded protected header of a valid request.</summary>
    public static string Header(GatewayJweClient session, string method, string path, string contentType, Action<JsonObject>? change = null)
    {
        var header = new JsonObject
        {
            ["alg"] = "dir", ["enc"] = "A256GCM", ["kid"] = session.SessionId, ["cty"] = contentType,
            ["htm"] = method, ["htu"] = path, ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        change?.Invoke(header);
        return GatewayJweClient.B64(Encoding.UTF8.GetBytes(header.ToJsonString()));
    }

    public IEnumerable<Mutant> Make(byte[] plaintext, string method, string path)
    {
        string Valid() => session.Seal(Header(session, method, path, "application/json"), plaintext);
        string WithHeader(Action<JsonObject> change) => session.Seal(Header(session, method, path, "application/json", change), plaintext);
        string RawHeader(string json) => session.Seal(GatewayJweClient.B64(Encoding.UTF8.GetBytes(json)), plaintext);
        string RawHeaderBytes(byte[] bytes) => session.Seal(GatewayJweClient.B64(bytes), plaintext);

        var valid = Valid();
        var cut = random.Next(1, valid.Length - 1);
        yield return Envelope("jwe-truncated", $"cut at {cut}", valid[..cut]);
        var flip = random.Next(valid.Length);
        var flipped = valid.ToCharArray();
        flipped[flip] = flipped[flip] == 'A' ? 'B' : 'A';
        yield return Envelope("jwe-bit-flip", $"char {flip}", new string(flipped));
        yield return Envelope("jwe-segments", "four segments", string.Join('.', Valid().Split('.').Skip(1)));
        yield return Envelope("jwe-segments", "six segments", Valid() + ".AAAA");
        yield return Envelope("jwe-segments", "encrypted key present", Valid().Replace("..", ".AAAA."));
        yield return Envelope("jwe-not-base64", "header with '*'", "*" + Valid());
        yield return Envelope("jwe-empty", "no bytes", "");
        yield return Envelope("jwe-header", "alg none", WithHeader(h => h["alg"] = "none"));
        yield return Envelope("jwe-header", "enc A128GCM", WithHeader(h => h["enc"] = "A128GCM"));
        yield return Envelope("jwe-header", "iat a string", WithHeader(h => h["iat"] = "now"));
        yield return Envelope("jwe-header", "iat huge", RawHeader("{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"" + session.SessionId +
            "\",\"cty\":\"application/json\",\"htm\":\"" + method + "\",\"htu\":\"" + path + "\",\"iat\":1e999999}"));
        yield return Envelope("jwe-header", "iat an hour old", WithHeader(h => h["iat"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()));
        yield return Envelope("jwe-header", "htu of another route", WithHeader(h => h["htu"] = "/api/auth/login"));
        yield return Envelope("jwe-header", "htm PUT", WithHeader(h => h["htm"] = "PUT"));
        yield return Envelope("jwe-header", "kid unknown", WithHeader(h => h["kid"] = Guid.NewGuid().ToString("N")), new HashSet<int> { 401 });
        yield return Envelope("jwe-header", "kid a number", WithHeader(h => h["kid"] = 7));
        // A request has no status; an unreadable one is ignored like any other unknown member.
        yield return Envelope("jwe-header", "status a string", WithHeader(h => h["status"] = "x")) with { MayBeAccepted = true };
        yield return Envelope("jwe-header", "kid with a lone surrogate", RawHeader("{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"\\ud800\",\"cty\":\"application/json\",\"htm\":\"" +
            method + "\",\"htu\":\"" + path + $"\",\"iat\":{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}}"));
        yield return Envelope("jwe-header", "cty with NUL", WithHeader(h => h["cty"] = "application/json\u0000"));
        yield return Envelope("jwe-header", "not JSON", RawHeader("{\"alg\":\"dir\","));
        yield return Envelope("jwe-header", "an array", RawHeader("[\"dir\"]"));
        yield return Envelope("jwe-header", "deeply nested", RawHeader(new string('[', 3000) + new string(']', 3000)));
        yield return Envelope("jwe-header", "invalid UTF-8", RawHeaderBytes([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
        yield return Envelope("jwe-valid", "first sending", valid) with { MayBeAccepted = true };
        yield return Envelope("jwe-replay", "sent again", valid);
        yield return Envelope("jwe-wrong-key", "another key", session.Seal(Header(session, method, path, "application/json"), plaintext, new byte[32]));
    }

    private static Mutant Envelope(string kind, string detail, string compact, IReadOnlySet<int>? expected = null) =>
        new(kind, detail, Encoding.ASCII.GetBytes(compact), "application/jose", [], expected ?? Refused);
}
