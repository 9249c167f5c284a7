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
}
