using IdentityService.Domain;

namespace UnitTests.Identity;

public sealed class PhcStringTests
{
    // Produced by the reference implementation: echo -n password | argon2 somesaltsomesalt -id -t 3 -m 16 -p 4 -l 32 -e
    private const string Reference = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";

    [Fact]
    public void ParsesAndWritesBackTheReferenceFormat()
    {
        Assert.True(PhcString.TryParse(Reference, out var phc));

        Assert.Equal(new Argon2Parameters(65536, 3, 4), phc.Parameters);
        Assert.Equal("somesaltsomesalt"u8.ToArray(), phc.Salt);
        Assert.Equal(32, phc.Hash.Length);
        Assert.Equal(Reference, phc.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI")]
    [InlineData("$argon2id$v=16$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI")]
    [InlineData("$argon2id$v=19$m=65536,t=3$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI")]
    [InlineData("$argon2id$v=19$m=-1,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI")]
    [InlineData("$argon2id$v=19$m=65536,t=3,p=4$!!!$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI")]
    [InlineData("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA==$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI")]
    [InlineData("bcrypt$2b$10$abcdefghijklmnopqrstuv")]
    public void RejectsAnythingElse(string value) => Assert.False(PhcString.TryParse(value, out _));
}
