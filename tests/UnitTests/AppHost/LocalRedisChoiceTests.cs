using AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace UnitTests.AppHost;

/// <summary>Which Redis local mode runs: redis-server when it is there, the embedded server when it is not or when asked.</summary>
public sealed class LocalRedisChoiceTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("redis-choice-");

    [Fact]
    public void AutoPrefersAnInstalledRedisServer() =>
        Assert.Equal(LocalRedisKind.RedisServer, Choose(redis: "auto", redisServerInstalled: true));

    [Fact]
    public void AutoFallsBackToTheEmbeddedServerWhenRedisServerIsMissing() =>
        Assert.Equal(LocalRedisKind.Embedded, Choose(redis: "auto", redisServerInstalled: false));

    [Fact]
    public void EmbeddedIsTakenEvenWhenRedisServerIsInstalled() =>
        Assert.Equal(LocalRedisKind.Embedded, Choose(redis: "embedded", redisServerInstalled: true));

    [Fact]
    public void AskingForRedisServerWhenItIsMissingFailsSayingHowToInstallIt()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() => Choose(redis: "redis-server", redisServerInstalled: false));
        Assert.Contains("apt-get install -y redis-server", error.Message);
    }

    [Fact]
    public void AnUnknownChoiceIsRejectedByName()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() => Choose(redis: "memcached", redisServerInstalled: true));
        Assert.Contains("'memcached'", error.Message);
    }

    [Fact]
    public void LocalModeNeedsOnlyPostgreSql()
    {
        var binaries = LocalBinaries.Discover(Settings("auto", redisServerInstalled: false));

        Assert.True(binaries.ArePresent);
        Assert.Null(binaries.RedisServer);
    }

    public void Dispose() => _scratch.Delete(recursive: true);

    private LocalRedisKind Choose(string redis, bool redisServerInstalled)
    {
        var settings = Settings(redis, redisServerInstalled);
        return LocalRedisChoice.Choose(settings, LocalBinaries.Discover(settings));
    }

    private IConfiguration Settings(string redis, bool redisServerInstalled)
    {
        var bin = _scratch.CreateSubdirectory(Guid.NewGuid().ToString("N"));
        foreach (var name in redisServerInstalled ? new[] { "initdb", "postgres", "redis-server" } : ["initdb", "postgres"])
        {
            File.WriteAllText(Path.Combine(bin.FullName, name), "");
        }
        return new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Infrastructure:Redis"] = redis,
            ["Infrastructure:PostgresBinDirectory"] = bin.FullName,
            ["Infrastructure:RedisServer"] = Path.Combine(bin.FullName, "redis-server"),
        }).Build();
    }
}
