using System.Runtime.InteropServices;
using Aspire.Hosting.ApplicationModel;

namespace EndToEnd.Tests;

/// <summary>
/// Faults by signal to the processes of a test's own AppHost (never anything else on the machine): find a
/// resource's PID from DCP's notifications, freeze it (SIGSTOP, with its whole process tree: a PostgreSQL postmaster
/// alone does not stop its backends, a <c>dotnet run</c> alone not its app — the embedded Redis runs that way), thaw it
/// (SIGCONT), or end it (SIGINT: PostgreSQL's fast shutdown; SIGKILL).
/// One replica at a time too (the fault suite): an instance's PID, its whole process tree (a project runs as
/// <c>dotnet run</c> with the app as its child), and its start command.
/// </summary>
public static class ProcessFaults
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>The programs that serve the <c>redis</c> resource: redis-server, or the embedded server (Garnet) a bare machine runs.</summary>
    public static readonly string[] RedisPrograms = ["redis-server", "EmbeddedRedis"];

    /// <summary>
    /// The PID DCP reports (<c>executable.pid</c>) for the first replica of <paramref name="resource"/> in
    /// <paramref name="app"/>, checked, when programs are given, to run one of them (the file name of argv[0]) itself
    /// or in its process tree (a project resource is <c>dotnet run</c> with the app as its child).
    /// </summary>
    public static async Task<int> ResourcePidAsync(DistributedApplication app, string resource, params string[] expectedPrograms)
    {
        int? pid = null;
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            // The watch replays the current state first; the newest snapshot with a PID wins (a restarted resource has a new one).
            await foreach (var update in app.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (update.Resource.Name == resource
                    && update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
                    && int.TryParse(value.ToString(), out var reported)
                    && IsAlive(reported))
                {
                    pid = reported;
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        Assert.True(pid is not null, $"the {resource} resource reports no live executable.pid");
        if (expectedPrograms.Length > 0)
        {
            var running = ProcessTree(pid.Value).Select(Program).ToList();
            Assert.True(running.Intersect(expectedPrograms).Any(),
                $"the {resource} resource runs {string.Join(", ", running)}, none of {string.Join(", ", expectedPrograms)}");
        }
        return pid.Value;
    }

    /// <summary>The file name of the process's argv[0] (a rewritten title, like redis-server's, keeps it first); "" once it is gone.</summary>
    public static string Program(int pid)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return Path.GetFileName(commandLine.Split(' ')[0]);
        }
        catch (IOException)
        {
            return "";
        }
    }

    public static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && State(pid) is not ('Z' or 'X');

    /// <summary>The process's direct children (from /proc/*/stat's ppid field).</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var candidate) && ParentOf(candidate) == pid)
            {
                children.Add(candidate);
            }
        }
        return children;
    }

    /// <summary>
    /// Freezes the process and all its descendants (SIGSTOP): their sockets stay open, nothing answers. Disposing the
    /// result thaws them all (SIGCONT), also when the test fails.
    /// </summary>
    public static Frozen Freeze(int pid)
    {
        // The root first, so that it cannot start a child between listing and stopping.
        Assert.Equal(0, Signal(pid, SigStop));
        var stopped = new List<int> { pid };
        foreach (var descendant in ProcessTree(pid).Skip(1))
        {
            if (Signal(descendant, SigStop) == 0)
            {
                stopped.Add(descendant);
            }
        }
        return new Frozen(stopped);
    }

    /// <summary>Sends <paramref name="signal"/> and waits until the process has exited.</summary>
    public static async Task EndAsync(int pid, int signal, TimeSpan? within = null)
    {
        Assert.Equal(0, Signal(pid, signal));
        await Poll.UntilAsync(() => Task.FromResult(!IsAlive(pid)), within ?? TimeSpan.FromSeconds(30), $"process {pid} exiting after signal {signal}");
    }

    /// <summary>
    /// Starts an exited resource again through its start command (DCP does not restart an exited executable) and
    /// waits until it is healthy. On a loaded machine the command may report a failure at first; it is retried.
    /// </summary>
    public static async Task RestartAsync(DistributedApplication app, string resource)
    {
        var instances = await InstancesAsync(app, resource);
        Assert.NotEmpty(instances);
        foreach (var instance in instances)
        {
            await Poll.UntilAsync(async () =>
                (await app.ResourceCommands.ExecuteCommandAsync(instance, KnownResourceCommands.StartCommand)).Success,
                TimeSpan.FromSeconds(60), $"the start command of {instance}");
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    /// <summary>The ids of the resource's replicas (commands address replicas one by one).</summary>
    public static async Task<HashSet<string>> InstancesAsync(DistributedApplication app, string resource)
    {
        var ids = new HashSet<string>();
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
        return ids;
    }

    /// <summary>The PID DCP reports for one running instance (a replica), from its current state.</summary>
    public static int InstancePid(DistributedApplication app, string instance) =>
        TryInstancePid(app, instance) ?? throw new InvalidOperationException($"{instance} reports no running executable.pid");

    /// <summary>The PID of a running instance, or null when it has none (not started, exited).</summary>
    public static int? TryInstancePid(DistributedApplication app, string instance) =>
        app.ResourceNotifications.TryGetCurrentState(instance, out var current)
        && current.Snapshot.State?.Text == KnownResourceStates.Running
        && current.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
        && int.TryParse(value.ToString(), out var pid)
            ? pid
            : null;

    /// <summary>The process and all its descendants, parents first.</summary>
    public static IReadOnlyList<int> ProcessTree(int root)
    {
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(Children(tree[i]));
        }
        return tree;
    }

    /// <summary>
    /// SIGKILL to a process and all its descendants: a killed <c>dotnet run</c> alone would leave its app running,
    /// a killed postmaster its backends. The root is stopped first, so that nothing forks while the tree dies.
    /// </summary>
    public static void KillTree(int root)
    {
        Signal(root, SigStop);
        foreach (var pid in ProcessTree(root).Reverse())
        {
            Signal(pid, SigKill);
        }
    }

    /// <summary>Waits (bounded) until DCP no longer reports the instance running.</summary>
    public static Task WaitUntilStoppedAsync(DistributedApplication app, string instance) =>
        Poll.UntilAsync(() => Task.FromResult(TryInstancePid(app, instance) is null), TimeSpan.FromSeconds(60), $"{instance} to be reported as stopped");

    /// <summary>Runs one instance's start command only: DCP starts the process; what follows is the system's job.</summary>
    public static Task RunStartCommandAsync(DistributedApplication app, string instance) =>
        Poll.UntilAsync(async () => (await app.ResourceCommands.ExecuteCommandAsync(instance, KnownResourceCommands.StartCommand)).Success,
            TimeSpan.FromSeconds(60), $"the start command of {instance}");

    /// <summary>Starts one exited instance again and waits (bounded) until it runs and reports healthy.</summary>
    public static async Task StartInstanceAsync(DistributedApplication app, string instance)
    {
        await RunStartCommandAsync(app, instance);
        await Poll.UntilAsync(() => Task.FromResult(
                TryInstancePid(app, instance) is not null
                && app.ResourceNotifications.TryGetCurrentState(instance, out var current)
                && current.Snapshot.HealthStatus is null or Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy),
            TimeSpan.FromSeconds(90), $"{instance} to run and be healthy again");
    }

    private static char State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) S ppid …": comm may hold spaces and parentheses, so read after the last ')'.
            return stat[(stat.LastIndexOf(')') + 2)..][0];
        }
        catch (IOException)
        {
            return 'X';
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null; // gone meanwhile
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Signal(int pid, int signal);

    /// <summary>Frozen processes; <see cref="Dispose"/> thaws them.</summary>
    public sealed class Frozen(IReadOnlyList<int> pids) : IDisposable
    {
        public IReadOnlyList<int> Pids { get; } = pids;

        public void Dispose()
        {
            foreach (var pid in Pids)
            {
                Signal(pid, SigCont);
            }
        }
    }
}
