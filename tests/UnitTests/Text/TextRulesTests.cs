using ServiceDefaults.Text;

namespace UnitTests.Text;

public sealed class TextRulesTests
{
    [Theory]
    [InlineData("ada@example.com", true)]
    [InlineData("Ada.Lovelace+tag@sub.example.org", true)]
    [InlineData("  ada@example.com  ", true)]
    [InlineData("", false)]
    [InlineData("no-at-sign", false)]
    [InlineData("@example.com", false)]
    [InlineData("ada@", false)]
    [InlineData("a@b@example.com", false)]
    [InlineData("ada lovelace@example.com", false)]
    [InlineData("ada@.example.com", false)]
    [InlineData("ada@example..com", false)]
    [InlineData("ada\u0000@example.com", false)]
    [InlineData("ada@example.com\u0085", false)]
    public void Email(string email, bool valid) => Assert.Equal(valid, TextRules.EmailProblem(email) is null);

    [Fact]
    public void EmailIsTrimmedButKeepsItsCase() => Assert.Equal("Ada@Example.com", TextRules.NormalizeEmail("  Ada@Example.com\t"));

    [Theory]
    [InlineData("1234567", false)]
    [InlineData("12345678", true)]
    [InlineData("😀😀😀😀😀😀😀", false)] // 7 code points, 14 UTF-16 units
    [InlineData("😀😀😀😀😀😀😀😀", true)]
    [InlineData("pass\u0000word", false)]
    [InlineData("pass\tword1", false)]
    public void PasswordCountsCodePointsAndRefusesControls(string password, bool valid) =>
        Assert.Equal(valid, TextRules.PasswordProblem(password) is null);

    [Fact]
    public void PasswordOf128CodePointsIsTheLongestAccepted()
    {
        Assert.Null(TextRules.PasswordProblem(new string('p', 128)));
        Assert.NotNull(TextRules.PasswordProblem(new string('p', 129)));
    }

    [Theory]
    [InlineData("  Ann  ", null, "Ann")]
    [InlineData("A", null, "A")]
    [InlineData("", "must not be empty", null)]
    [InlineData("   ", "must not be empty", null)]
    [InlineData("A\u0007B", "must not contain control characters", null)]
    [InlineData("A\u001BB", "must not contain control characters", null)]
    [InlineData("A\u007FB", "must not contain control characters", null)]
    [InlineData("A\u0085B", "must not contain control characters", null)]
    [InlineData("A\u009FB", "must not contain control characters", null)]
    [InlineData("A\nB", "must not contain control characters", null)]
    [InlineData("Ann\n", "must not contain control characters", null)]
    [InlineData("A\tB", "must not contain control characters", null)]
    [InlineData("\u0000", "must not contain control characters", null)]
    [InlineData("Zoë 😀", null, "Zoë 😀")]
    public void DisplayNameIsCheckedRawThenTrimmed(string raw, string? problem, string? value)
    {
        var name = DisplayName.TryCreate(raw, out var actual);
        Assert.Equal(problem, actual);
        Assert.Equal(value, name?.Value);
    }

    [Fact]
    public void DisplayNameLengthCountsCodePointsAfterTrimming()
    {
        var emoji64 = string.Concat(Enumerable.Repeat("😀", 64));
        Assert.NotNull(DisplayName.TryCreate($"  {emoji64}  ", out _));
        Assert.Null(DisplayName.TryCreate(emoji64 + "x", out var problem));
        Assert.Equal("must be at most 64 characters", problem);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("line one\nline two\tindented", true)]
    [InlineData("nul \u0000 inside", false)]
    [InlineData("carriage\rreturn", false)]
    [InlineData("bell\u0007", false)]
    [InlineData("c1 \u0090", false)]
    [InlineData("del \u007F", false)]
    public void BioMayHoldLineFeedsAndTabsButNoOtherControls(string? bio, bool valid) =>
        Assert.Equal(valid, TextRules.BioProblem(bio) is null);

    [Fact]
    public void BioLengthCountsCodePoints()
    {
        Assert.Null(TextRules.BioProblem(string.Concat(Enumerable.Repeat("😀", 280))));
        Assert.NotNull(TextRules.BioProblem(new string('b', 281)));
    }

    [Theory]
    [InlineData("https://example.test/a.png", true)]
    [InlineData("http://example.test/a.png", false)]
    [InlineData("/relative.png", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("https://example.test/\u0000.png", false)]
    [InlineData(null, true)]
    public void AvatarUrlMustBeAbsoluteHttps(string? url, bool valid) =>
        Assert.Equal(valid, TextRules.AvatarUrlProblem(url) is null);

    [Theory]
    [InlineData("a", 1)]
    [InlineData("😀", 1)]
    [InlineData("e\u0301", 2)]
    [InlineData("😀😀x", 3)]
    public void CodePointsCountsRunesNotUtf16Units(string text, int expected) => Assert.Equal(expected, TextRules.CodePoints(text));
}
