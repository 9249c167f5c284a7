namespace ServiceDefaults.Text;

/// <summary>
/// A display name that passed <see cref="TextRules.DisplayNameProblem"/>: trimmed, 1–64 code points, no control
/// characters. Registration and the profile both make one, so they refuse exactly the same names.
/// </summary>
public readonly record struct DisplayName
{
    private DisplayName(string value) => Value = value;

    public string Value { get; }

    public static DisplayName? TryCreate(string raw, out string? problem)
    {
        problem = TextRules.DisplayNameProblem(raw, out var trimmed);
        return problem is null ? new DisplayName(trimmed) : null;
    }

    public override string ToString() => Value;
}
