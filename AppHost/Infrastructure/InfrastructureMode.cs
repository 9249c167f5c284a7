using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace AppHost.Infrastructure;

public enum InfrastructureMode
{
    /// <summary>PostgreSQL and Redis as the usual Aspire containers.</summary>
    Container,

    /// <summary>PostgreSQL and Redis as local processes the AppHost starts and stops itself.</summary>
    Local,
}

/// <summary>
/// Chooses between containers and local processes: <c>Infrastructure:Mode</c> = <c>auto</c> (default),
/// <c>container</c> or <c>local</c>. Auto picks containers only when a container runtime answers, because
/// Aspire waits for ever on containers that an absent engine can never start.
/// </summary>
public static class InfrastructureModeSelector
{
    public static InfrastructureMode Select(IConfiguration configuration, LocalBinaries binaries)
    {
        var requested = (configuration["Infrastructure:Mode"] ?? "auto").Trim().ToLowerInvariant();
        switch (requested)
        {
            case "container":
                return InfrastructureMode.Container;
            case "local":
                binaries.EnsurePresent();
                return InfrastructureMode.Local;
            case "auto" or "":
                if (ContainerRuntimeAnswers(configuration))
                {
                    return InfrastructureMode.Container;
                }
                if (binaries.ArePresent)
                {
                    return InfrastructureMode.Local;
                }
                throw new InfrastructureUnavailableException(
                    "No container runtime answered and no local PostgreSQL binaries were found. " +
                    "Either start Docker or Podman, or install the server: `apt-get install -y postgresql` " +
                    $"({binaries.DescribeMissing()}).");
            default:
                throw new InfrastructureUnavailableException(
                    $"Infrastructure:Mode must be 'auto', 'container' or 'local', not '{requested}'.");
        }
    }

    private static bool ContainerRuntimeAnswers(IConfiguration configuration)
    {
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        if (LocalBinaries.FindOnPath(runtime) is not { } executable)
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(executable, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

public sealed class InfrastructureUnavailableException(string message) : Exception(message);
