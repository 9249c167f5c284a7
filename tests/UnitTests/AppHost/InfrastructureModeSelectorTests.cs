using AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace UnitTests.AppHost;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

/// <summary>How the AppHost picks containers or local processes, and how it fails when it can have neither.</summary>
public sealed class InfrastructureModeSelectorTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mode-selector-");

    [Fact]
    public void AutoPicksContainersWhenTheRuntimeAnswers()
    {
        var settings = Settings(mode: "auto", runtime: Script("docker-ok", exitCode: 0), withBinaries: true);

        Assert.Equal(InfrastructureMode.Container, Select(settings));
    }

    [Fact]
    public void AutoPicksLocalProcessesWhenTheRuntimeDoesNotAnswer()
    {
        var settings = Settings(mode: "auto", runtime: Script("docker-down", exitCode: 1), withBinaries: true);

        Assert.Equal(InfrastructureMode.Local, Select(settings));
    }

    [Fact]
    public void AutoPicksLocalProcessesWhenNoRuntimeIsInstalled()
    {
        var settings = Settings(mode: "auto", runtime: Path.Combine(_scratch.FullName, "no-such-runtime"), withBinaries: true);

        Assert.Equal(InfrastructureMode.Local, Select(settings));
    }

    [Fact]
    public void AutoFailsAtOnceSayingWhatToInstallWhenThereIsNeither()
    {
        var settings = Settings(mode: "auto", runtime: Script("docker-down", exitCode: 1), withBinaries: false);

        var error = Assert.Throws<InfrastructureUnavailableException>(() => Select(settings));
        Assert.Contains("No container runtime answered", error.Message);
        Assert.Contains("apt-get install -y postgresql", error.Message);
    }

    [Fact]
    public void ForcedLocalModeFailsWhenTheBinariesAreMissing()
    {
        var settings = Settings(mode: "local", runtime: Script("docker-ok", exitCode: 0), withBinaries: false);

        var error = Assert.Throws<InfrastructureUnavailableException>(() => Select(settings));
        Assert.Contains("apt-get install -y postgresql", error.Message);
    }

    [Fact]
    public void ForcedLocalModeIgnoresAnAnsweringRuntime()
    {
        var settings = Settings(mode: "local", runtime: Script("docker-ok", exitCode: 0), withBinaries: true);

        Assert.Equal(InfrastructureMode.Local, Select(settings));
    }

    [Fact]
    public void ForcedContainerModeIsTakenAsSaid()
    {
        var settings = Settings(mode: "container", runtime: Script("docker-down", exitCode: 1), withBinaries: false);

        Assert.Equal(InfrastructureMode.Container, Select(settings));
    }

    [Fact]
    public void AnUnknownModeIsRejectedByName()
    {
        var settings = Settings(mode: "kubernetes", runtime: Script("docker-ok", exitCode: 0), withBinaries: true);

        var error = Assert.Throws<InfrastructureUnavailableException>(() => Select(settings));
        Assert.Contains("'kubernetes'", error.Message);
    }

    public void Dispose() => _scratch.Delete(recursive: true);

    private static InfrastructureMode Select(IConfiguration configuration) =>
        InfrastructureModeSelector.Select(configuration, LocalBinaries.Discover(configuration));

    private IConfiguration Settings(string mode, string runtime, bool withBinaries)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_scratch.FullName, withBinaries ? "bin" : "empty"));
        if (withBinaries)
        {
            foreach (var name in new[] { "initdb", "postgres", "redis-server" })
            {
                File.WriteAllText(Path.Combine(bin.FullName, name), "");
            }
        }
        return new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Infrastructure:Mode"] = mode,
            ["Infrastructure:PostgresBinDirectory"] = bin.FullName,
            ["Infrastructure:RedisServer"] = Path.Combine(bin.FullName, "redis-server"),
            ["ASPIRE_CONTAINER_RUNTIME"] = runtime,
        }).Build();
    }

    private string Script(string name, int exitCode)
    {
        var path = Path.Combine(_scratch.FullName, name);
        File.WriteAllText(path, $"#!/bin/sh\nexit {exitCode}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
