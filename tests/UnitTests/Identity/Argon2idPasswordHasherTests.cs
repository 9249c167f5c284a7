using IdentityService.Application;
using IdentityService.Infrastructure;
using Microsoft.Extensions.Options;
using UnitTests.Support;

namespace UnitTests.Identity;

public sealed class Argon2idPasswordHasherTests
{
    // echo -n password | argon2 somesaltsomesalt -id -t 3 -m 16 -p 4 -l 32 -e  (the reference C implementation)
    private const string Reference = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI";

    // echo -n password | argon2 somesaltsomesalt -id -t 1 -m 10 -p 1 -l 32 -e
    private const string OlderParameters = "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$FiU+I6KbINfHoMBfkVDnS6qmzxgy7cg41IT8JQoCvvk";

    private static Argon2idPasswordHasher Hasher() => new(Options.Create(new PasswordHashingOptions()), new IdentityMetrics(TestMeters.Factory));

    [Fact]
    public async Task VerifiesAHashOfTheReferenceImplementation()
    {
        using var hasher = Hasher();

        Assert.Equal(new PasswordCheck(true, false), await hasher.VerifyAsync("password", Reference, CancellationToken.None));
        Assert.Equal(new PasswordCheck(false, false), await hasher.VerifyAsync("Password", Reference, CancellationToken.None));
    }

    [Fact]
    public async Task AHashWithOlderParametersMatchesAndAsksForARehash()
    {
        using var hasher = Hasher();

        Assert.Equal(new PasswordCheck(true, true), await hasher.VerifyAsync("password", OlderParameters, CancellationToken.None));
    }

    [Fact]
    public async Task HashesWithTheConfiguredParametersAndARandomSalt()
    {
        using var hasher = Hasher();

        var first = await hasher.HashAsync("password", CancellationToken.None);
        var second = await hasher.HashAsync("password", CancellationToken.None);

        Assert.StartsWith("$argon2id$v=19$m=65536,t=3,p=4$", first);
        Assert.NotEqual(first, second);
        Assert.True((await hasher.VerifyAsync("password", first, CancellationToken.None)).Matches);
    }

    [Fact]
    public async Task AnUnknownAccountNeverMatches()
    {
        using var hasher = Hasher();

        Assert.False((await hasher.VerifyAsync("password", null, CancellationToken.None)).Matches);
        Assert.False((await hasher.VerifyAsync("password", "not a phc string", CancellationToken.None)).Matches);
    }
}
