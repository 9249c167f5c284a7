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
