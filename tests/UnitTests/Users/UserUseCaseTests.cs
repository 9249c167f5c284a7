using UnitTests.Support;
using UserService.Application;
using UserService.Domain;

namespace UnitTests.Users;

/// <summary>GetProfile, UpdateOwnProfile, ProvisionProfile and SearchProfiles against in-memory fakes of their ports.</summary>
public sealed class UserUseCaseTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private readonly InMemoryProfiles _profiles = new();
    private readonly InMemoryProfileCache _cache = new();
    private readonly InMemoryPageCache _pages = new();
    private readonly RecordingProfileEvents _events = new();
    private readonly ManualClock _clock = new(Start.AddHours(1));

    private static UserProfile Profile(string name = "Ada", long version = 1) => new()
    {
        Id = Guid.NewGuid(), Email = $"{name.ToLowerInvariant()}@example.test", DisplayName = name,
        CreatedAt = Start, UpdatedAt = Start, Version = version,
    };

    private UpdateOwnProfile Update => new(_profiles, _cache, _events, _clock);

    private static ProfilePatch Bio(string bio) => new(Optional<string>.Unset, Optional<string>.Of(bio), Optional<string>.Unset);

    [Fact]
    public async Task GetProfileReadsTheDatabaseOnAMissAndFillsTheCache()
    {
        var ada = Profile();
        _profiles.Put(ada);
        var get = new GetProfile(_profiles, _cache);

        Assert.Equal("Ada", (await get.HandleAsync(ada.Id, default))?.DisplayName);
        Assert.Equal("Ada", (await get.HandleAsync(ada.Id, default))?.DisplayName);

        Assert.Equal(1, _profiles.Reads);
        Assert.True(_cache.Entries.ContainsKey(ada.Id));
    }

    [Fact]
    public async Task GetProfileOfNobodyIsNullAndCachesNothing()
    {
        Assert.Null(await new GetProfile(_profiles, _cache).HandleAsync(Guid.NewGuid(), default));
        Assert.Empty(_cache.Entries);
    }

    [Fact]
    public async Task AnUpdateSavesBumpsTheVersionReplacesTheCacheEntryAndPublishesOneEvent()
    {
        var ada = Profile();
        _profiles.Put(ada);
        await _cache.PopulateAsync(ada);

        var result = await Update.HandleAsync(ada.Id, Bio("hello"), "\"1\"", default);

        var updated = Assert.IsType<UpdateResult.Updated>(result).Profile;
        Assert.Equal(2, updated.Version);
        Assert.Equal("hello", _profiles[ada.Id].Bio);
        Assert.Equal(_clock.Now, _profiles[ada.Id].UpdatedAt);
        Assert.Equal("hello", _cache.Entries[ada.Id].Bio);
        Assert.Equal([ada.Id], _events.Published);
    }

    [Fact]
    public async Task AStaleIfMatchIsRefusedWithTheCurrentProfileAndChangesNothing()
    {
        var ada = Profile(version: 3);
        _profiles.Put(ada);

        var result = await Update.HandleAsync(ada.Id, Bio("hello"), "\"2\"", default);

        Assert.Equal(3, Assert.IsType<UpdateResult.PreconditionFailed>(result).Current.Version);
        Assert.Null(_profiles[ada.Id].Bio);
        Assert.Equal(3, _profiles[ada.Id].Version);
        Assert.Empty(_events.Published);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("\"7\", \"3\"")]
    public async Task IfMatchAcceptsAStarOrAListNamingTheCurrentVersion(string ifMatch)
    {
        var ada = Profile(version: 3);
        _profiles.Put(ada);

        Assert.IsType<UpdateResult.Updated>(await Update.HandleAsync(ada.Id, Bio("hello"), ifMatch, default));
        Assert.Equal(4, _profiles[ada.Id].Version);
    }

    [Fact]
    public async Task AWeakTagNeverMatches()
    {
        var ada = Profile();
        _profiles.Put(ada);

        Assert.IsType<UpdateResult.PreconditionFailed>(await Update.HandleAsync(ada.Id, Bio("hello"), "W/\"1\"", default));
    }

    [Fact]
    public async Task WithoutIfMatchAConcurrentWriteIsRetriedOnTheFreshRowKeepingBothChanges()
    {
        var ada = Profile();
        _profiles.Put(ada);
        var raced = false;
        _profiles.AfterReadForUpdate = row =>
        {
            if (!raced)
            {
                raced = true;
                row.DisplayName = "Ada L.";
                row.Version++;
            }
        };

        var result = await Update.HandleAsync(ada.Id, Bio("hello"), null, default);

        Assert.IsType<UpdateResult.Updated>(result);
        Assert.Equal("Ada L.", _profiles[ada.Id].DisplayName);
        Assert.Equal("hello", _profiles[ada.Id].Bio);
        Assert.Equal(3, _profiles[ada.Id].Version);
        Assert.Single(_events.Published);
    }

    [Fact]
    public async Task APatchThatChangesNothingSavesAndPublishesNothing()
    {
        var ada = Profile();
        ada.Bio = "same";
        _profiles.Put(ada);

        var result = await Update.HandleAsync(ada.Id, Bio("same"), null, default);

        Assert.Equal(1, Assert.IsType<UpdateResult.Updated>(result).Profile.Version);
        Assert.Empty(_events.Published);
    }

    [Fact]
    public async Task ASavedPatchTheCacheCannotShowIsNotAcknowledged()
    {
        var ada = Profile();
        _profiles.Put(ada);
        await _cache.PopulateAsync(ada);
        _cache.Unavailable = true; // Redis frozen: the entry still holds version 1

        var result = await Update.HandleAsync(ada.Id, Bio("hello"), null, default);

        Assert.Equal(2, Assert.IsType<UpdateResult.CacheBehind>(result).Profile.Version);
        Assert.Equal("hello", _profiles[ada.Id].Bio); // committed: a 503 promises nothing either way
        Assert.Equal([ada.Id], _events.Published);
        _cache.Unavailable = false;
        Assert.Null((await new GetProfile(_profiles, _cache).HandleAsync(ada.Id, default))!.Bio); // why it was not a 200
    }

    [Fact]
    public async Task APatchRepeatedAfterA503IsAcknowledgedOnlyOnceTheCacheShowsIt()
    {
        var ada = Profile();
        _profiles.Put(ada);
        await _cache.PopulateAsync(ada);
        _cache.Unavailable = true;
        Assert.IsType<UpdateResult.CacheBehind>(await Update.HandleAsync(ada.Id, Bio("hello"), null, default));

        // The repeat changes nothing in the row, yet is no 200 while the cache may still show version 1.
        Assert.IsType<UpdateResult.CacheBehind>(await Update.HandleAsync(ada.Id, Bio("hello"), null, default));
        _cache.Unavailable = false;
        var repeated = await Update.HandleAsync(ada.Id, Bio("hello"), null, default);

        Assert.Equal(2, Assert.IsType<UpdateResult.Updated>(repeated).Profile.Version);
        Assert.Equal("hello", (await new GetProfile(_profiles, _cache).HandleAsync(ada.Id, default))!.Bio);
        Assert.Equal(2, _profiles[ada.Id].Version);
        Assert.Single(_events.Published);
    }

    [Fact]
    public async Task UpdatingAMissingProfileIsNotFound()
    {
        Assert.IsType<UpdateResult.NotFound>(await Update.HandleAsync(Guid.NewGuid(), Bio("x"), null, default));
    }

    [Fact]
    public async Task ProvisioningTwiceCreatesOnceAndTheRepeatChangesNothing()
    {
        var provision = new ProvisionProfile(_profiles);
        var request = new ProvisionRequest(Guid.NewGuid(), "ada@example.test", "Ada", Start.ToOffset(TimeSpan.FromHours(2)));

        var (first, created) = await provision.HandleAsync(request, default);
        var (second, createdAgain) = await provision.HandleAsync(request with { DisplayName = "Someone else" }, default);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal("Ada", second.DisplayName);
        Assert.Equal(first.Version, second.Version);
        Assert.Equal(TimeSpan.Zero, first.CreatedAt.Offset);
        Assert.Equal(Start, first.CreatedAt);
        Assert.Single(_profiles.All);
    }

    [Fact]
    public async Task SearchPagesTheMatchesWithoutEmailsAndServesARepeatFromTheCache()
    {
        foreach (var name in new[] { "Zed", "anna", "Bob", "Hannah", "Joanna" })
        {
            _profiles.Put(Profile(name));
        }
        var search = new SearchProfiles(_profiles, _pages);

        var page = await search.HandleAsync("ANN", page: 1, pageSize: 2, default);

        Assert.Equal(3, page.Total);
        Assert.Equal(["Hannah", "Joanna"], page.Items.Select(p => p.DisplayName));
        Assert.Equal(DateTimeKind.Utc, page.Items[0].CreatedAt.Kind);
        _profiles.Put(Profile("Annabel"));
        Assert.Same(page, await search.HandleAsync("ANN", page: 1, pageSize: 2, default));
    }

    [Fact]
    public async Task APageBeyondTheEndIsEmptyWithTheTotal()
    {
        _profiles.Put(Profile("Ada"));

        var page = await new SearchProfiles(_profiles, _pages).HandleAsync(null, page: 5, pageSize: 10, default);

        Assert.Empty(page.Items);
        Assert.Equal(1, page.Total);
    }
}
