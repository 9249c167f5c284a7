using AppHost.Infrastructure;
using Xunit;

namespace Tests.Shared;

/// <summary>
/// A program outside the .NET SDK that a test runs: a browser, an independent reference implementation, a renderer.
/// Where it is not installed the test is reported as skipped, saying what to install — a fresh clone on a bare
/// machine still passes <c>dotnet test</c>. Under CI (<c>CI=true</c>, as CI runs <c>.ci/run</c>, which installs every
/// one of them) a missing tool fails the test instead, so a broken install step can never hide behind a skip.
/// The one place that decides this: every such test is a <c>[SkippableFact]</c> (or <c>[SkippableTheory]</c>) that
/// asks for the tool's path here before running it.
/// </summary>
public sealed record RequiredTool(string Command, string HowToInstall)
{
    public static readonly RequiredTool Chromium = new("chromium", "apt-get install chromium; .ci/run installs it");

    public static readonly RequiredTool Argon2 = new("argon2", "apt-get install argon2; .ci/run installs it");

    public static readonly RequiredTool Node = new("node", "apt-get install nodejs; .ci/run installs it");

    public static readonly RequiredTool Kubectl = new("kubectl",
        "it is on this project's machine image; elsewhere install kubectl 1.27 or later, which includes kustomize");

    /// <summary>Whether this is a CI run, where nothing may be skipped for a missing tool.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The tool's full path (from <c>PATH</c>); skips the calling test when it is missing, or fails it under CI.</summary>
    public string Path()
    {
        if (LocalBinaries.FindOnPath(Command) is { } path)
        {
            return path;
        }
        var reason = $"{Command} is not installed ({HowToInstall})";
        if (IsCi)
        {
            Assert.Fail($"{reason}. CI=true: a missing tool fails the test instead of skipping it.");
        }
        throw new SkipException(reason);
    }
}
