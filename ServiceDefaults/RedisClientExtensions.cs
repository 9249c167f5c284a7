using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class RedisClientExtensions
{
    public const string ConnectionName = "redis";

    /// <summary>
    /// The one way a service connects to Redis. Every command fails fast while Redis is away instead of queueing
    /// behind a reconnect (the callers all have a fallback or a retry of their own), and the connection is retried
    /// in the background. <paramref name="withoutRedis"/> says what still works without it: then the health check
    /// reports Degraded (still 200, the service stays in rotation); null means the service is useless without Redis
    /// and Aspire's own check reports Unhealthy.
    /// </summary>
    public static TBuilder AddRedis<TBuilder>(this TBuilder builder, string? withoutRedis) where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient(ConnectionName,
            settings => settings.DisableHealthChecks = withoutRedis is not null,
            options =>
            {
                options.AbortOnConnectFail = false;
                options.BacklogPolicy = BacklogPolicy.FailFast;
                options.ConnectTimeout = 1000;
                options.SyncTimeout = 500;
                options.AsyncTimeout = 500;
                options.ReconnectRetryPolicy = new LinearRetry(500);
            });
        // One warning per outage and one line when it ends (RedisConnectionLog), instead of the library's error with a
        // stack trace for every reconnect attempt.
        builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Critical);
        builder.Services.AddHostedService<RedisConnectionLog>();
        if (withoutRedis is not null)
        {
            builder.Services.AddHealthChecks().AddDegradableRedisCheck(withoutRedis);
        }
        return builder;
    }
}
