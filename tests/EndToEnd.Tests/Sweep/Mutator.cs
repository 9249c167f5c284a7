using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EndToEnd.Tests.Sweep;

/// <summary>
/// Makes malformed variants of a valid JSON object body, drawn from one seeded <see cref="Random"/> so a run can be
/// repeated exactly. Each class is one way a client (or an attacker) gets a body wrong.
/// </summary>
public sealed class Mutator(Random random)
{
    private const string Json = "application/json";
    private static readonly HashSet<int> BadRequest = [400];
    private static readonly HashSet<int> Unprocessable = [422];
    private static readonly HashSet<int> BadOrUnprocessable = [400, 422];

    public static readonly string[] Classes =
    [
        "truncated", "empty", "non-object", "wrong-type", "deep-nesting", "huge-number", "nul", "control",
        "raw-control", "invalid-utf8", "lone-surrogate", "duplicate-key", "unknown-field", "wrong-media-type",
        "bom", "trailing-garbage", "encoding-mislabelled", "encoding-unknown", "encoding-double", "overlong-string",
    ];

    /// <summary>A mutant of <paramref name="valid"/> of class <paramref name="kind"/>; <paramref name="multiline"/> fields may hold LF and tab.</summary>
    public Mutant Make(string kind, JsonObject valid, IReadOnlyList<string> fields, ISet<string>? multiline = null)
    {
        var field = fields[random.Next(fields.Count)];
        var text = valid.ToJsonString();
        switch (kind)
        {
            case "truncated":
                var cut = random.Next(1, text.Length - 1);
                return Plain(kind, $"cut at {cut}", Encoding.UTF8.GetBytes(text[..cut]), BadRequest);
            case "empty":
                return Plain(kind, "no bytes", [], BadRequest);
            case "non-object":
                var other = Pick("[]", "[{}]", "\"text\"", "42", "null", "true", $"[{text}]");
                return Plain(kind, other, Encoding.UTF8.GetBytes(other), BadRequest);
            case "wrong-type":
                var value = Pick("42", "true", "[]", "{}", "-0.5", "[\"a\"]");
                return Plain(kind, $"{field}={value}", Replace(valid, field, value), BadOrUnprocessable);
            case "deep-nesting":
                var depth = random.Next(65, 5000);
                return Plain(kind, $"{field} {depth} deep", Replace(valid, field, new string('[', depth) + new string(']', depth)), BadOrUnprocessable);
            case "huge-number":
                var number = Pick("1e999999", "-1e999999", "123456789012345678901234567890123456789", "0." + new string('9', 400));
                return Plain(kind, $"{field}={number[..Math.Min(20, number.Length)]}", Replace(valid, field, number), BadOrUnprocessable);
            case "nul":
                return Plain(kind, field, Insert(valid, field, "\\u0000"), Unprocessable);
            case "control":
                var controls = new List<int> { 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9f };
                if (multiline?.Contains(field) != true)
                {
                    controls.AddRange([0x09, 0x0a]);
                }
                var control = controls[random.Next(controls.Count)];
                return Plain(kind, $"{field} U+{control:X4}", Insert(valid, field, $"\\u{control:x4}"), Unprocessable);
            case "raw-control":
                // An unescaped C0 byte is not valid JSON at all (400); raw DEL and C1 are valid JSON holding a control (422).
                var raw = Pick<byte[]>([0x00], [0x07], [0x1b], [0x7f], [0xc2, 0x85], [0xc2, 0x9b]);
                return Plain(kind, $"{field} raw {Convert.ToHexString(raw)}", Insert(valid, field, raw), raw[0] < 0x20 ? BadRequest : Unprocessable);
            case "invalid-utf8":
                var bad = Pick<byte[]>([0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80]);
                return Plain(kind, $"{field} bytes {Convert.ToHexString(bad)}", Insert(valid, field, bad), BadRequest);
            case "lone-surrogate":
                var surrogate = Pick("\\ud800", "\\udfff", "\\udbff\\u0041", "\\ude00\\ud800");
                return Plain(kind, $"{field} {surrogate}", Insert(valid, field, surrogate), BadRequest);
            case "duplicate-key":
                var twice = text.TrimEnd('}') + $",\"{field}\":\"second\"}}";
                return Plain(kind, field, Encoding.UTF8.GetBytes(twice), BadOrUnprocessable, mayBeAccepted: true);
            case "unknown-field":
                var extra = text.TrimEnd('}') + $",\"{Pick("admin", "id", "__proto__", "userId", "zzz")}\":{Pick("true", "\"x\"", "{}", "[1]")}}}";
                return Plain(kind, "extra field", Encoding.UTF8.GetBytes(extra), BadOrUnprocessable, mayBeAccepted: true);
            case "wrong-media-type":
                var media = Pick<string?>(null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx");
                return new Mutant(kind, media ?? "none", Encoding.UTF8.GetBytes(text), media, [], new HashSet<int> { 415 });
            case "bom":
                return Plain(kind, "UTF-8 BOM", [0xef, 0xbb, 0xbf, .. Encoding.UTF8.GetBytes(text)], BadRequest, mayBeAccepted: true);
            case "trailing-garbage":
                var tail = Pick("x", "}", "{}", ",", "\u0000", "[]");
                return Plain(kind, $"then {JsonSerializer.Serialize(tail)}", Encoding.UTF8.GetBytes(text + tail), BadRequest);
            case "encoding-mislabelled":
                var label = Pick("gzip", "deflate", "br");
                return new Mutant(kind, $"{label} on a plain body", Encoding.UTF8.GetBytes(text), Json, [label], BadRequest);
            case "encoding-unknown":
                var unknown = Pick("compress", "x-gzip2", "zstd", "identity, bogus");
                return new Mutant(kind, unknown, Encoding.UTF8.GetBytes(text), Json, [unknown], new HashSet<int> { 415 });
            case "encoding-double":
                // Labelled twice but compressed once: whatever the gateway makes of it, the inner bytes are not JSON.
                return new Mutant(kind, "gzip, gzip over one gzip", Gzip(Encoding.UTF8.GetBytes(text)), Json, ["gzip", "gzip"], new HashSet<int> { 400, 415 });
            case "overlong-string":
                var length = random.Next(300, 200_000);
                return Plain(kind, $"{field} {length} chars", Replace(valid, field, JsonSerializer.Serialize(new string('a', length))), new HashSet<int> { 400, 401, 422 });
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private T Pick<T>(params T[] options) => options[random.Next(options.Length)];

    private static Mutant Plain(string kind, string detail, byte[] body, IReadOnlySet<int> expected, bool mayBeAccepted = false) =>
        new(kind, detail, body, Json, [], expected, mayBeAccepted);

    /// <summary>The body with <paramref name="field"/>'s value replaced by raw JSON text.</summary>
    private static byte[] Replace(JsonObject valid, string field, string rawValue)
    {
        const string marker = "\"\u2603sweep\u2603\"";
        var copy = (JsonObject)valid.DeepClone();
        copy[field] = "\u2603sweep\u2603";
        return Encoding.UTF8.GetBytes(copy.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .Replace(marker, rawValue));
    }

    private byte[] Insert(JsonObject valid, string field, string escaped) => Insert(valid, field, Encoding.UTF8.GetBytes(escaped));

    /// <summary>The body with raw bytes placed at a random point inside <paramref name="field"/>'s string.</summary>
    private byte[] Insert(JsonObject valid, string field, byte[] bytes)
    {
        var current = valid[field]?.GetValue<string>() ?? "";
        var at = random.Next(current.Length + 1);
        var before = JsonSerializer.Serialize(current[..at])[..^1];
        var after = JsonSerializer.Serialize(current[at..])[1..];
        var quoted = Encoding.UTF8.GetBytes(before).Concat(bytes).Concat(Encoding.UTF8.GetBytes(after)).ToArray();
        var body = Replace(valid, field, "\u2603raw\u2603");
        var marker = Encoding.UTF8.GetBytes("\u2603raw\u2603");
        var index = body.AsSpan().IndexOf(marker);
        return [.. body[..index], .. quoted, .. body[(index + marker.Length)..]];
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }
}
