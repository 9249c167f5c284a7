using Microsoft.Extensions.Configuration;

namespace AppHost.Infrastructure;

public enum LocalRedisKind
{
    /// <summary>The installed <c>redis-server</c>: preferred, it is what production runs.</summary>
    RedisServer,

    /// <summary>Microsoft Garnet from NuGet (<see cref="EmbeddedRedisResource"/>), so that a bare machine needs nothing installed.</summary>
    Embedded,
}

/// <summary>
/// Which Redis local mode runs: <c>Infrastructure:Redis</c> = <c>auto</c> (default: redis-server when it is found,
/// else the embedded server), <c>redis-server</c> (fail when it is missing) or <c>embedded</c> (always the embedded server).
/// </summary>
public static class LocalRedisChoice
{
    public static LocalRedisKind Choose(IConfiguration configuration, LocalBinaries binaries)
    {
        var requested = (configuration["Infrastructure:Redis"] ?? "auto").Trim().ToLowerInvariant();
        return requested switch
        {
            "auto" or "" => binaries.RedisServer is null ? LocalRedisKind.Embedded : LocalRedisKind.RedisServer,
            "embedded" => LocalRedisKind.Embedded,
            "redis-server" when binaries.RedisServer is null => throw new InfrastructureUnavailableException(
                "Infrastructure:Redis is 'redis-server' but redis-server was not found on PATH (or at Infrastructure:RedisServer). " +
                "Install it with `apt-get install -y redis-server`, or use 'auto' to fall back to the embedded server."),
            "redis-server" => LocalRedisKind.RedisServer,
            _ => throw new InfrastructureUnavailableException(
                $"Infrastructure:Redis must be 'auto', 'redis-server' or 'embedded', not '{requested}'."),
        };
    }
}
