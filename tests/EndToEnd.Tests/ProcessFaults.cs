using System.Runtime.InteropServices;
using Aspire.Hosting.ApplicationModel;

namespace EndToEnd.Tests;

/// <summary>
/// Faults by signal to the processes of a test's own AppHost: a resource instance's PID as DCP reports it
/// (<c>executable.pid</c>), its whole process tree (PostgreSQL's backends; the app under a project's <c>dotnet run</c>),
/// and the start command that brings back an instance that exited (DCP does not restart one by itself).
/// </summary>
public static class ProcessFaults
{
    public const int SigKill = 9;
    public const int SigCont = 18;
    public const int SigStop = 19;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The instance ids of a resource (<c>userservice-abcd1234</c>, …; one per replica), from the current state that
    /// the notification service replays to a new watcher.
    /// </summary>
    public static async Task<IReadOnlyList<string>> InstanceIdsAsync(DistributedApplication app, string resource)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (update.Resource.Name == resource)
                {
                    ids.Add(update.ResourceId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        Assert.True(ids.Count > 0, $"no instance of {resource} is known");
        return [.. ids];
    }

    /// <summary>The PID DCP reports for a running instance.</summary>
    public static int Pid(DistributedApplication app, string instanceId) =>
        TryPid(app, instanceId) ?? throw new InvalidOperationException($"{instanceId} reports no executable.pid (state {State(app, instanceId)})");

    /// <summary>A running instance's PID, or null when it has none (not started, exited).</summary>
    public static int? TryPid(DistributedApplication app, string instanceId) =>
        app.ResourceNotifications.TryGetCurrentState(instanceId, out var current)
        && current.Snapshot.State?.Text == KnownResourceStates.Running
        && current.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
        && int.TryParse(value.ToString(), out var pid)
            ? pid
            : null;

    public static string? State(DistributedApplication app, string instanceId) =>
        app.ResourceNotifications.TryGetCurrentState(instanceId, out var current) ? current.Snapshot.State?.Text : null;

    /// <summary>The process and all its descendants, parents first (read from <c>/proc/*/stat</c>).</summary>
    public static IReadOnlyList<int> ProcessTree(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && ParentOf(pid) is { } parent)
            {
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(children.GetValueOrDefault(tree[i]) ?? []);
        }
        return tree;
    }

    /// <summary>
    /// Stops a process and everything under it. The root first, so that it forks nothing new while its children are
    /// listed; then the tree again until no unstopped descendant is left. Returns what was stopped, for <see cref="Continue"/>.
    /// </summary>
    public static IReadOnlyList<int> Freeze(int root)
    {
        var stopped = new List<int>();
        for (var round = 0; round < 5; round++)
        {
            var fresh = ProcessTree(root).Except(stopped).ToList();
            if (fresh.Count == 0)
            {
                break;
            }
            foreach (var pid in fresh)
            {
                Send(pid, SigStop);
                stopped.Add(pid);
            }
        }
        return stopped;
    }

    /// <summary>Lets frozen processes run again, children before the parent.</summary>
    public static void Continue(IReadOnlyList<int> stopped)
    {
        foreach (var pid in stopped.Reverse())
        {
            Send(pid, SigCont);
        }
    }

    /// <summary>SIGKILL to a process and all its descendants (a killed <c>dotnet run</c> alone would leave its app running).</summary>
    public static void Kill(int root)
    {
        var tree = ProcessTree(root);
        Send(root, SigStop); // nothing forks or reaps while the tree dies
        foreach (var pid in tree.Reverse())
        {
            Send(pid, SigKill);
        }
    }

    /// <summary>Waits (bounded) until DCP no longer reports the instance running.</summary>
    public static Task WaitUntilStoppedAsync(DistributedApplication app, string instanceId) =>
        Poll.UntilAsync(() => Task.FromResult(TryPid(app, instanceId) is null), Patience, $"{instanceId} to be reported as stopped");

    /// <summary>
    /// Runs the instance's start command (what the dashboard's Start button does) and waits (bounded) until it runs
    /// with a PID and reports healthy.
    /// </summary>
    public static async Task StartAsync(DistributedApplication app, string instanceId)
    {
        await RunStartCommandAsync(app, instanceId);
        await Poll.UntilAsync(() => Task.FromResult(
                TryPid(app, instanceId) is not null
                && app.ResourceNotifications.TryGetCurrentState(instanceId, out var current)
                && current.Snapshot.HealthStatus is null or Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy),
            Patience, $"{instanceId} to run and be healthy again");
    }

    /// <summary>Runs the instance's start command only: DCP starts the process; what follows is up to the system.</summary>
    public static async Task RunStartCommandAsync(DistributedApplication app, string instanceId)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(instanceId, KnownResourceCommands.StartCommand);
        Assert.True(result.Success, $"start {instanceId}: {result.Message}");
    }

    public static void Send(int pid, int signal)
    {
        // A process that is already gone (a backend that exited meanwhile) is not an error.
        if (SystemKill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != ESRCH)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private const int ESRCH = 3;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SystemKill(int pid, int signal);
}
