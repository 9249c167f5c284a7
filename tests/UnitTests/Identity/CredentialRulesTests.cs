using IdentityService.Domain;

namespace UnitTests.Identity;

public sealed class CredentialRulesTests
{
    [Theory]
    [InlineData("ada@example.com", true)]
    [InlineData("Ada.Lovelace+tag@sub.example.org", true)]
    [InlineData("", false)]
    [InlineData("no-at-sign", false)]
    [InlineData("@example.com", false)]
    [InlineData("ada@", false)]
    [InlineData("a@b@example.com", false)]
    [InlineData("ada lovelace@example.com", false)]
    [InlineData("ada@.example.com", false)]
    [InlineData("ada@example..com", false)]
    public void Email(string email, bool valid) => Assert.Equal(valid, CredentialRules.EmailProblem(email) is null);

    [Fact]
    public void EmailIsTrimmedButKeepsItsCase() => Assert.Equal("Ada@Example.com", CredentialRules.NormalizeEmail("  Ada@Example.com\t"));

    [Theory]
    [InlineData("1234567", false)]
    [InlineData("12345678", true)]
    [InlineData("😀😀😀😀😀😀😀", false)] // 7 code points, 14 UTF-16 units
    [InlineData("😀😀😀😀😀😀😀😀", true)]
    public void PasswordCountsCodePoints(string password, bool valid) => Assert.Equal(valid, CredentialRules.PasswordProblem(password) is null);

    [Fact]
    public void PasswordOf128CodePointsIsTheLongestAccepted()
    {
        Assert.Null(CredentialRules.PasswordProblem(new string('p', 128)));
        Assert.NotNull(CredentialRules.PasswordProblem(new string('p', 129)));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("A", true)]
    public void DisplayNameNeedsOneCharacter(string name, bool valid) => Assert.Equal(valid, CredentialRules.DisplayNameProblem(name) is null);

    [Fact]
    public void DisplayNameOf64IsTheLongestAccepted()
    {
        Assert.Null(CredentialRules.DisplayNameProblem(new string('n', 64)));
        Assert.NotNull(CredentialRules.DisplayNameProblem(new string('n', 65)));
    }
}
