using Microsoft.Extensions.Configuration;

namespace AppHost;

public static class RealtimeSettingsExtensions
{
    /// <summary>
    /// Passes the AppHost's <c>Realtime</c> section (e.g. <c>--Realtime:PingInterval=00:00:01</c>) on to the
    /// RealtimeService as <c>Realtime__*</c> variables, so that tests can shorten keepalive without code changes.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRealtimeSettings(this IResourceBuilder<ProjectResource> project, IConfigurationSection section)
    {
        foreach (var setting in section.AsEnumerable(makePathsRelative: true).Where(s => s.Value is not null))
        {
            project.WithEnvironment($"Realtime__{setting.Key.Replace(":", "__")}", setting.Value);
        }
        return project;
    }
}
