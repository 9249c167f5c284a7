using System.Globalization;

namespace UserService.Domain;

/// <summary>
/// The rules of contract §3 for the fields a user may set. Lengths count Unicode code points (a
/// surrogate pair is one character, as in the identity service's password rule).
/// </summary>
public static class ProfileRules
{
    public const int DisplayNameMaxLength = 64;
    public const int BioMaxLength = 280;
    public const int AvatarUrlMaxLength = 2048;

    /// <summary>Trims the display name; returns an error message or null.</summary>
    public static string? CheckDisplayName(string? raw, out string normalized)
    {
        normalized = raw?.Trim() ?? "";
        if (normalized.Length == 0)
        {
            return "must not be empty";
        }
        if (CodePoints(normalized) > DisplayNameMaxLength)
        {
            return $"must be at most {DisplayNameMaxLength} characters";
        }
        return HasControlCharacters(normalized) ? "must not contain control characters" : null;
    }

    public static string? CheckBio(string? bio) =>
        bio is not null && CodePoints(bio) > BioMaxLength ? $"must be at most {BioMaxLength} characters" : null;

    public static string? CheckAvatarUrl(string? url)
    {
        if (url is null)
        {
            return null;
        }
        if (url.Length > AvatarUrlMaxLength)
        {
            return $"must be at most {AvatarUrlMaxLength} characters";
        }
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0
            ? null
            : "must be an absolute https URL";
    }

    public static int CodePoints(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            count++;
        }
        return count;
    }

    private static bool HasControlCharacters(string text) =>
        text.Any(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Control);
}
