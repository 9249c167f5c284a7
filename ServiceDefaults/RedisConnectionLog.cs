using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What an SRE reads about the Redis connection: one warning when a connection is lost and one line when it is back,
/// with how long it was away. StackExchange.Redis itself logs every failed reconnect (every 500 ms here) as an error
/// with its stack trace; <see cref="RedisClientExtensions.AddRedis"/> silences that category in favour of this.
/// </summary>
public sealed partial class RedisConnectionLog(IConnectionMultiplexer redis, ILogger<RedisConnectionLog> logger) : IHostedService
{
    private readonly ConcurrentDictionary<(string EndPoint, ConnectionType Type), long> _lostAt = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed += OnFailed;
        redis.ConnectionRestored += OnRestored;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionFailed -= OnFailed;
        redis.ConnectionRestored -= OnRestored;
        return Task.CompletedTask;
    }

    private void OnFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (_lostAt.TryAdd((e.EndPoint?.ToString() ?? "?", e.ConnectionType), Stopwatch.GetTimestamp()))
        {
            LogLost(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType, e.FailureType, e.Exception?.GetType().Name ?? "none");
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (_lostAt.TryRemove((e.EndPoint?.ToString() ?? "?", e.ConnectionType), out var lostAt))
        {
            LogRestored(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType, Stopwatch.GetElapsedTime(lostAt).TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis {EndPoint} {ConnectionType} connection lost ({FailureType}, {Exception}); commands fail fast and fall back until it is back, reconnecting every 500 ms")]
    private static partial void LogLost(ILogger logger, string endPoint, ConnectionType connectionType, ConnectionFailureType failureType, string exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis {EndPoint} {ConnectionType} connection restored after {Seconds:F1} s")]
    private static partial void LogRestored(ILogger logger, string endPoint, ConnectionType connectionType, double seconds);
}
