using AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace UnitTests.AppHost;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

/// <summary>Development secrets survive restarts and are readable by their owner only.</summary>
public sealed class StateDirectoryTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("state-dir-");

    [Fact]
    public void ASecretIsCreatedOnceAndReadBackOnLaterRuns()
    {
        var first = Resolve().GetOrCreateSecret("db.password", () => "first-value");
        var second = Resolve().GetOrCreateSecret("db.password", () => "second-value");

        Assert.Equal("first-value", first);
        Assert.Equal("first-value", second);
    }

    [Fact]
    public void SecretsAreReadableByTheirOwnerOnly()
    {
        var state = Resolve();
        state.GetOrCreateSecret("key.pem", () => "secret");

        var mode = File.GetUnixFileMode(Path.Combine(state.Path, "key.pem"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public void TheFolderItselfCanBeTraversedByTheDatabaseUser()
    {
        var state = Resolve();

        Assert.True(File.GetUnixFileMode(state.Path).HasFlag(UnixFileMode.OtherExecute));
    }

    [Fact]
    public void GeneratedPasswordsNeedNoQuotingInConnectionStrings()
    {
        var password = StateDirectory.NewPassword();

        Assert.Equal(32, password.Length);
        Assert.Matches("^[A-Za-z0-9]+$", password);
        Assert.NotEqual(password, StateDirectory.NewPassword());
    }

    public void Dispose() => _scratch.Delete(recursive: true);

    private StateDirectory Resolve() => StateDirectory.Resolve(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Infrastructure:DataDirectory"] = Path.Combine(_scratch.FullName, "state"),
        }).Build(),
        appHostDirectory: "/unused");
}
