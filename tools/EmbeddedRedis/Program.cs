using Garnet;
using Garnet.server.Auth.Settings;

// A Redis-compatible server from NuGet (Microsoft Garnet), for machines with neither a container engine nor
// redis-server. The AppHost runs it as a resource of its own (AppHost/Infrastructure/EmbeddedRedis.cs) and hands it
// the port and password through the environment, so the password never appears on a command line.
var port = Environment.GetEnvironmentVariable("EMBEDDED_REDIS_PORT")
    ?? throw new InvalidOperationException("EMBEDDED_REDIS_PORT is not set");
var password = Environment.GetEnvironmentVariable("EMBEDDED_REDIS_PASSWORD") is { Length: > 0 } value
    ? value
    : throw new InvalidOperationException("EMBEDDED_REDIS_PASSWORD is not set: the embedded server never runs without one");

Console.WriteLine(
    "Embedded Redis (Microsoft Garnet) is standing in for redis-server. " +
    "redis-server is preferred — it starts ~50x faster, holds ~6x less memory and is what production runs: " +
    "`apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), then restart the AppHost.");

using var server = new GarnetServer(
    [
        "--bind", "127.0.0.1", // loopback only
        "--port", port,
        "--lua", "true", // the gateway's rate limiter and the services' scripts run Lua
        // ...and rely on a script running as one step, as redis-server runs it. Garnet interleaves scripts from
        // different connections unless told to lock their KEYS: without this, two gateways over-grant rate-limit
        // leases and a stale profile can overwrite a newer one in the cache (the version check is a script).
        "--lua-transaction-mode", "true",
        "--index", "16m", // a development cache: a small hash index keeps the footprint small
    ],
    authenticationSettingsOverride: new PasswordAuthenticationSettings(password));
server.Start();
Console.WriteLine($"Embedded Redis listening on 127.0.0.1:{port}");

// DCP stops the resource with SIGTERM (SIGINT from a terminal); both end the process here.
var stopped = new TaskCompletionSource();
using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stopped.TrySetResult(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopped.TrySetResult(); };
await stopped.Task;
Console.WriteLine("Embedded Redis stopping");
