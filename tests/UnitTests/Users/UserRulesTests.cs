using Microsoft.EntityFrameworkCore;
using UserService.Application;
using UserService.Domain;
using UserService.Infrastructure;

namespace UnitTests.Users;

public sealed class UserRulesTests
{
    [Theory]
    [InlineData("100%", "%100\\%%")]
    [InlineData("a_b", "%a\\_b%")]
    [InlineData("c\\d", "%c\\\\d%")]
    [InlineData("plain", "%plain%")]
    public void SearchTermsAreEscapedForLiteralMatching(string term, string pattern) =>
        Assert.Equal(pattern, SearchPattern.Contains(term));

    [Theory]
    [InlineData("  Ann  ", null, "Ann")]
    [InlineData("   ", "must not be empty", "")]
    [InlineData("a\u0007b", "must not contain control characters", "a\u0007b")]
    public void DisplayNameIsTrimmedAndChecked(string raw, string? error, string normalized)
    {
        Assert.Equal(error, ProfileRules.CheckDisplayName(raw, out var result));
        Assert.Equal(normalized, result);
    }

    [Fact]
    public void LengthsCountCodePointsNotUtf16Units()
    {
        var emoji64 = string.Concat(Enumerable.Repeat("😀", 64));
        Assert.Null(ProfileRules.CheckDisplayName(emoji64, out _));
        Assert.NotNull(ProfileRules.CheckDisplayName(emoji64 + "x", out _));
        Assert.Null(ProfileRules.CheckBio(string.Concat(Enumerable.Repeat("😀", 280))));
        Assert.NotNull(ProfileRules.CheckBio(new string('b', 281)));
    }

    [Theory]
    [InlineData("https://example.test/a.png", true)]
    [InlineData("http://example.test/a.png", false)]
    [InlineData("/relative.png", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData(null, true)]
    public void AvatarUrlMustBeAbsoluteHttps(string? url, bool valid) =>
        Assert.Equal(valid, ProfileRules.CheckAvatarUrl(url) is null);

    [Fact]
    public void ApplyingAPatchBumpsTheVersionOnlyWhenSomethingChanges()
    {
        var profile = new UserProfile
        {
            Id = Guid.NewGuid(), Email = "a@example.test", DisplayName = "Ann",
            CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
        };
        var same = new ProfilePatch(Optional<string>.Of("Ann"), Optional<string>.Unset, Optional<string>.Unset);
        var clearBio = new ProfilePatch(Optional<string>.Unset, Optional<string>.Of("hi"), Optional<string>.Unset);

        Assert.False(profile.Apply(same, DateTimeOffset.UtcNow));
        Assert.Equal("\"1\"", profile.ETag);
        Assert.True(profile.Apply(clearBio, DateTimeOffset.UtcNow));
        Assert.Equal("\"2\"", profile.ETag);
    }

    [Fact]
    public void SearchOrdersByAnExpressionSoTheTrigramIndexIsUsedAndPlainListingUsesTheBTree()
    {
        using var db = new UsersDbContext(new DbContextOptionsBuilder<UsersDbContext>().UseNpgsql("Host=unused").Options);

        var searched = ProfileRepository.Ordered(ProfileRepository.Matching(db.Profiles, "50%"), "50%").ToQueryString();
        var listed = ProfileRepository.Ordered(ProfileRepository.Matching(db.Profiles, null), null).ToQueryString();

        Assert.Contains("ILIKE", searched);
        Assert.Contains("ESCAPE '\\'", searched);
        Assert.Contains("ORDER BY p.display_name || ''", searched);
        Assert.Contains("ORDER BY p.display_name, p.id", listed);
    }
}
