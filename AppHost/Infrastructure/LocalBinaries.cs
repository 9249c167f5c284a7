using Microsoft.Extensions.Configuration;

namespace AppHost.Infrastructure;

/// <summary>Where the installed PostgreSQL and Redis servers are, if they are installed.</summary>
public sealed class LocalBinaries
{
    private LocalBinaries(string? postgresBinDirectory, string? redisServer)
    {
        PostgresBinDirectory = postgresBinDirectory;
        RedisServer = redisServer;
    }

    public string? PostgresBinDirectory { get; }

    public string? RedisServer { get; }

    /// <summary>Local mode needs PostgreSQL's binaries; without redis-server it runs the embedded Redis instead.</summary>
    public bool ArePresent => PostgresBinDirectory is not null;

    public static LocalBinaries Discover(IConfiguration configuration) =>
        new(FindPostgres(configuration["Infrastructure:PostgresBinDirectory"]),
            FindOnPath(configuration["Infrastructure:RedisServer"] is { Length: > 0 } redis ? redis : "redis-server"));

    public void EnsurePresent()
    {
        if (!ArePresent)
        {
            throw new InfrastructureUnavailableException(
                $"Infrastructure:Mode is 'local' but {DescribeMissing()}. Install it with `apt-get install -y postgresql`.");
        }
    }

    public string DescribeMissing() => PostgresBinDirectory is null
        ? "PostgreSQL's initdb/postgres were not found (set Infrastructure:PostgresBinDirectory if they live elsewhere)"
        : "nothing is missing";

    private static string? FindPostgres(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasPostgres(configured) ? configured : null;
        }

        // Debian/Ubuntu keep each major version under /usr/lib/postgresql/<major>/bin; prefer the newest.
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Major: int.TryParse(Path.GetFileName(dir), out var major) ? major : 0))
                .Where(candidate => HasPostgres(candidate.Dir))
                .OrderByDescending(candidate => candidate.Major)
                .Select(candidate => candidate.Dir)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        return FindOnPath("initdb") is { } initdb && Path.GetDirectoryName(initdb) is { } dir && HasPostgres(dir) ? dir : null;
    }

    private static bool HasPostgres(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "postgres"));

    public static string? FindOnPath(string command)
    {
        if (Path.IsPathRooted(command))
        {
            return File.Exists(command) ? command : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
    }
}
