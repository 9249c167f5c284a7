using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Login sessions (<c>sid</c>) that were revoked before their access tokens expired.</summary>
public interface ISessionRevocationList
{
    /// <summary>Revokes the session everywhere; validators drop the entry after <paramref name="keepFor"/>.</summary>
    Task RevokeAsync(string sessionId, TimeSpan keepFor);

    /// <summary>A memory lookup: never waits on Redis.</summary>
    bool IsRevoked(string sessionId);

    /// <summary>Raised once for each session this process learns is revoked (pushed, reloaded or revoked here).</summary>
    event Action<string>? SessionRevoked;
}

/// <summary>
/// Revoked sessions held in this process's memory. The source of truth is the Redis sorted set
/// <see cref="SetKey"/> (member = sid, score = when the entry may be forgotten, Unix ms); a revocation adds
/// to it and publishes on <see cref="Channel"/> in one script. <see cref="RevocationFeed"/> applies the
/// pushes and reloads the whole set on every (re)connect, so nothing revoked during a disconnect is missed.
/// While Redis is away the last known set keeps working and no request waits.
/// </summary>
public sealed class SessionRevocationList(IConnectionMultiplexer redis, TimeProvider clock) : ISessionRevocationList
{
    public const string SetKey = "revoked-sessions";
    public static readonly RedisChannel Channel = RedisChannel.Literal("revoked-sessions");

    // ZADD GT keeps the later expiry when a session is revoked twice; expired members are pruned on the way.
    private const string RevokeScript = """
        redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
        redis.call('PUBLISH', ARGV[4], ARGV[1] .. ' ' .. ARGV[2])
        return 1
        """;

    private readonly ConcurrentDictionary<string, long> _expiresAtMs = new(StringComparer.Ordinal);

    public event Action<string>? SessionRevoked;

    public int Count => _expiresAtMs.Count;

    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task RevokeAsync(string sessionId, TimeSpan keepFor)
    {
        var expiresAt = NowMs + (long)keepFor.TotalMilliseconds;
        Apply(sessionId, expiresAt);
        // Bounded: a logout must not hang on a frozen Redis (the caller logs the failure; refresh is stopped in its database).
        await redis.GetDatabase().ScriptEvaluateAsync(RevokeScript, [SetKey],
            [sessionId, expiresAt, NowMs, Channel.ToString()]).WaitAsync(TimeSpan.FromSeconds(1));
    }

    public bool IsRevoked(string sessionId) =>
        _expiresAtMs.TryGetValue(sessionId, out var expiresAt) && expiresAt > NowMs;

    /// <summary>A pushed message: <c>"{sid} {expiresAtMs}"</c>.</summary>
    internal void ApplyMessage(string? message)
    {
        var parts = message?.Split(' ');
        if (parts is [{ Length: > 0 } sessionId, var expiry] && long.TryParse(expiry, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            Apply(sessionId, expiresAt);
        }
    }

    /// <summary>Loads the whole current set from Redis (after a connect); returns how many entries it holds.</summary>
    internal async Task<int> ReloadAsync(TimeSpan timeout)
    {
        var entries = await redis.GetDatabase()
            .SortedSetRangeByScoreWithScoresAsync(SetKey, NowMs, double.PositiveInfinity)
            .WaitAsync(timeout);
        foreach (var entry in entries)
        {
            Apply(entry.Element.ToString(), (long)entry.Score);
        }
        return entries.Length;
    }

    internal void ForgetExpired()
    {
        var now = NowMs;
        foreach (var (sessionId, expiresAt) in _expiresAtMs)
        {
            if (expiresAt <= now)
            {
                _expiresAtMs.TryRemove(new KeyValuePair<string, long>(sessionId, expiresAt));
            }
        }
    }

    private void Apply(string sessionId, long expiresAtMs)
    {
        if (expiresAtMs <= NowMs)
        {
            return;
        }
        var isNew = false;
        _expiresAtMs.AddOrUpdate(sessionId,
            _ => { isNew = true; return expiresAtMs; },
            (_, current) => Math.Max(current, expiresAtMs));
        if (isNew)
        {
            SessionRevoked?.Invoke(sessionId);
        }
    }
}

/// <summary>
/// Keeps <see cref="SessionRevocationList"/> current: subscribes to the revocation channel, then loads the
/// whole set; does it again whenever a Redis connection is restored. A lost connection is logged as a gap.
/// </summary>
public sealed partial class RevocationFeed(
    IConnectionMultiplexer redis, SessionRevocationList revocations, ILogger<RevocationFeed> logger) : BackgroundService
{
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _wake = new(0);
    // Reloads still owed: a restored connection asks for two, the second after the subscription is surely back.
    private int _reloadsOwed = 1;
    private bool _subscribed;
    // Redis retries every 500 ms while it is away: the gap and a failed catch-up are logged once per outage, not per try.
    private int _gapLogged;
    private bool _catchUpFailing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await CatchUpAsync();
                revocations.ForgetExpired();
                var owed = Volatile.Read(ref _reloadsOwed) > 0 || !_subscribed;
                try
                {
                    await _wake.WaitAsync(owed ? RetryAfter : PruneEvery, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            redis.ConnectionFailed -= OnConnectionFailed;
            redis.ConnectionRestored -= OnConnectionRestored;
        }
    }

    private async Task CatchUpAsync()
    {
        try
        {
            if (!_subscribed)
            {
                var queue = await redis.GetSubscriber().SubscribeAsync(SessionRevocationList.Channel).WaitAsync(ReloadTimeout);
                queue.OnMessage(message => revocations.ApplyMessage(message.Message.ToString()));
                _subscribed = true;
            }
            if (Volatile.Read(ref _reloadsOwed) > 0)
            {
                var count = await revocations.ReloadAsync(ReloadTimeout);
                Interlocked.Decrement(ref _reloadsOwed);
                LogReloaded(logger, count);
            }
            _catchUpFailing = false;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            if (!_catchUpFailing)
            {
                LogCatchUpFailed(logger, e.GetType().Name, revocations.Count);
            }
            _catchUpFailing = true;
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Interlocked.Exchange(ref _gapLogged, 1) == 0)
        {
            LogGap(logger, e.ConnectionType.ToString(), e.FailureType.ToString(), revocations.Count);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Exchange(ref _gapLogged, 0);
        Interlocked.Exchange(ref _reloadsOwed, 2);
        _wake.Release();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation feed lost its {ConnectionType} connection ({FailureType}): revocations made meanwhile arrive when it is back; validating against the last known {Count} revoked sessions")]
    private static partial void LogGap(ILogger logger, string connectionType, string failureType, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation feed could not catch up ({Reason}); validating against the last known {Count} revoked sessions, retrying every second (logged once until it succeeds)")]
    private static partial void LogCatchUpFailed(ILogger logger, string reason, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revocation list reloaded from Redis: {Count} sessions revoked")]
    private static partial void LogReloaded(ILogger logger, int count);
}
