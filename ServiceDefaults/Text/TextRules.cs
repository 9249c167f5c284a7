using System.Text;

namespace ServiceDefaults.Text;

/// <summary>
/// The one set of text rules of contract §1–§3, shared by every service so that a value one service accepts is
/// never refused by another later (registration and the user service's profile used to disagree). Each rule
/// returns the message for a bad value, or null. Lengths count Unicode code points, as a user counts characters.
/// </summary>
public static class TextRules
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxEmailLength = 254;
    public const int MaxDisplayNameLength = 64;
    public const int MaxBioLength = 280;
    public const int MaxAvatarUrlLength = 2048;

    /// <summary>
    /// NUL and the other C0 controls, DEL and the C1 controls are refused in every string field; a multi-line
    /// field (only <c>bio</c>) may hold line feeds and tabs.
    /// </summary>
    public static string? ControlProblem(string value, bool multiLine = false)
    {
        foreach (var c in value)
        {
            if (IsControl(c) && !(multiLine && c is '\n' or '\t'))
            {
                return multiLine
                    ? "must not contain control characters other than line feeds and tabs"
                    : "must not contain control characters";
            }
        }
        return null;
    }

    public static string NormalizeEmail(string email) => email.Trim();

    public static string? EmailProblem(string email)
    {
        if (ControlProblem(email) is { } control)
        {
            return control;
        }
        var trimmed = NormalizeEmail(email);
        if (trimmed.Length == 0)
        {
            return "must not be empty";
        }
        if (CodePoints(trimmed) > MaxEmailLength)
        {
            return $"must be at most {MaxEmailLength} characters";
        }
        var at = trimmed.IndexOf('@');
        var valid = at > 0
            && at == trimmed.LastIndexOf('@')
            && at < trimmed.Length - 1
            && !trimmed.Any(char.IsWhiteSpace)
            && trimmed[(at + 1)..] is var domain
            && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..", StringComparison.Ordinal);
        return valid ? null : "must be an address like name@example.com";
    }

    public static string? PasswordProblem(string password) =>
        ControlProblem(password)
        ?? (CodePoints(password) is < MinPasswordLength or > MaxPasswordLength
            ? $"must be {MinPasswordLength}-{MaxPasswordLength} characters"
            : null);

    /// <summary>Checks the raw value (a control character at either end is refused, not trimmed away), then trims.</summary>
    public static string? DisplayNameProblem(string raw, out string trimmed)
    {
        trimmed = raw.Trim();
        if (ControlProblem(raw) is { } control)
        {
            return control;
        }
        if (trimmed.Length == 0)
        {
            return "must not be empty";
        }
        return CodePoints(trimmed) > MaxDisplayNameLength ? $"must be at most {MaxDisplayNameLength} characters" : null;
    }

    public static string? BioProblem(string? bio) =>
        bio is null
            ? null
            : ControlProblem(bio, multiLine: true)
              ?? (CodePoints(bio) > MaxBioLength ? $"must be at most {MaxBioLength} characters" : null);

    public static string? AvatarUrlProblem(string? url)
    {
        if (url is null)
        {
            return null;
        }
        if (ControlProblem(url) is { } control)
        {
            return control;
        }
        if (url.Length > MaxAvatarUrlLength)
        {
            return $"must be at most {MaxAvatarUrlLength} characters";
        }
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0
            ? null
            : "must be an absolute https URL";
    }

    /// <summary>Code points; a lone surrogate (which the input layer never lets in) would count as one.</summary>
    public static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    /// <summary>C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F): exactly Unicode's Cc category.</summary>
    private static bool IsControl(char c) => c < '\u0020' || c is >= '\u007F' and <= '\u009F';
}
