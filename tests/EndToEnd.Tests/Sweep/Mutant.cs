namespace EndToEnd.Tests.Sweep;

/// <summary>
/// One malformed request body: its mutation class, bytes, media type and Content-Encoding labels, the statuses
/// contract §1 names for it, and whether the mutation may leave a request the service can rightly accept.
/// </summary>
public sealed record Mutant(string Class, string Detail, byte[] Body, string? ContentType, IReadOnlyList<string> ContentEncodings,
    IReadOnlySet<int> Expected, bool MayBeAccepted = false)
{
    public string Describe() =>
        $"{Class} ({Detail}); Content-Type {ContentType ?? "none"}; Content-Encoding [{string.Join(", ", ContentEncodings)}]; " +
        $"body {Preview(Body)}";

    private static string Preview(byte[] body)
    {
        var text = body.Length <= 240 ? body : body[..240];
        var shown = string.Concat(text.Select(b => b is >= 0x20 and < 0x7f && b != '\\' ? ((char)b).ToString() : $"\\x{b:x2}"));
        return body.Length <= 240 ? shown : $"{shown}… ({body.Length} bytes)";
    }
}
