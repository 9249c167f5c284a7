using Microsoft.Extensions.Configuration;

namespace AppHost;

public static class SettingsPassThroughExtensions
{
    /// <summary>
    /// Hands every value under an AppHost configuration section to a service as environment variables under
    /// <paramref name="prefix"/> (e.g. <c>--Realtime:PingInterval=00:00:01</c> → <c>Realtime__PingInterval</c>), so that
    /// a developer or a test tunes a service from the AppHost's command line without code changes.
    /// </summary>
    public static IResourceBuilder<T> WithSettingsFrom<T>(this IResourceBuilder<T> resource, IConfigurationSection section, string prefix)
        where T : IResourceWithEnvironment
    {
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true).Where(setting => setting.Value is not null))
        {
            resource.WithEnvironment($"{prefix}__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
        }
        return resource;
    }

    /// <summary>
    /// The one request deadline of every service and the gateway (issue 10): <c>--RequestDeadline=00:00:08</c> on the
    /// AppHost reaches each of them as <c>RequestDeadline</c>; unset, each uses its default (5 s).
    /// </summary>
    public static IResourceBuilder<T> WithRequestDeadline<T>(this IResourceBuilder<T> resource, IConfiguration configuration)
        where T : IResourceWithEnvironment =>
        configuration["RequestDeadline"] is { Length: > 0 } deadline ? resource.WithEnvironment("RequestDeadline", deadline) : resource;
}
