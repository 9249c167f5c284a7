namespace IdentityService.Domain;

/// <summary>The validation rules of contract §2, as plain functions returning the message for a bad value.</summary>
public static class CredentialRules
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxDisplayNameLength = 64;
    public const int MaxEmailLength = 254;

    public static string NormalizeEmail(string email) => email.Trim();

    public static string? EmailProblem(string trimmedEmail)
    {
        if (trimmedEmail.Length == 0)
        {
            return "Email is required.";
        }
        if (trimmedEmail.Length > MaxEmailLength)
        {
            return $"Email must be at most {MaxEmailLength} characters.";
        }
        var at = trimmedEmail.IndexOf('@');
        var valid = at > 0
            && at == trimmedEmail.LastIndexOf('@')
            && at < trimmedEmail.Length - 1
            && !trimmedEmail.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            && trimmedEmail[(at + 1)..] is var domain
            && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..");
        return valid ? null : "Email must be an address like name@example.com.";
    }

    /// <summary>Lengths count Unicode code points, so an emoji is one character, as a user would count it.</summary>
    public static string? PasswordProblem(string password)
    {
        var length = CodePoints(password);
        return length is < MinPasswordLength or > MaxPasswordLength
            ? $"Password must be {MinPasswordLength}-{MaxPasswordLength} characters."
            : null;
    }

    public static string? DisplayNameProblem(string trimmedDisplayName)
    {
        var length = CodePoints(trimmedDisplayName);
        return length is < 1 or > MaxDisplayNameLength
            ? $"Display name must be 1-{MaxDisplayNameLength} characters after trimming."
            : null;
    }

    public static int CodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}
