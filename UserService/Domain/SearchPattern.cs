using System.Text;

namespace UserService.Domain;

/// <summary>Turns a search term into a LIKE pattern that matches it literally as a substring.</summary>
public static class SearchPattern
{
    public const char EscapeCharacter = '\\';

    public static string Contains(string term)
    {
        var pattern = new StringBuilder(term.Length + 8).Append('%');
        foreach (var c in term)
        {
            if (c is '%' or '_' or EscapeCharacter)
            {
                pattern.Append(EscapeCharacter);
            }
            pattern.Append(c);
        }
        return pattern.Append('%').ToString();
    }
}
