using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Registry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one way a service connects to its PostgreSQL database (issue 10): every wait fits inside the request
/// deadline, a circuit breaker makes calls fail fast while the database is away, and readiness says so.
/// <list type="bullet">
/// <item>No retrying execution strategy: Aspire's default (EnableRetryOnFailure, up to ~30 s) turned a dead database
/// into 15 s 500s. The strategy here only consults the breaker (<see cref="BreakerExecutionStrategy"/>).</item>
/// <item>Connect and command timeouts are fitted to the deadline (<see cref="FitInside"/>), so a frozen server costs a
/// request at most a few seconds and the answer is 503 + Retry-After before the deadline.</item>
/// <item>A <c>postgresql</c> health check that answers within ~1.5 s: Unhealthy (503) while the database is away.</item>
/// </list>
/// </summary>
public static class ServiceDatabase
{
    public const string HealthCheckName = "postgresql";

    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var configured = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured.");
        var connectionString = FitInside(configured, RequestDeadline.Of(builder.Configuration));
        var dependency = $"PostgreSQL ({connectionName})";
        var breakerKey = $"postgresql-{connectionName}";

        builder.Services.AddResiliencePipeline(breakerKey, (pipeline, context) =>
            DatabaseBreaker.Configure(pipeline, dependency, context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseBreaker).FullName!)));
        builder.Services.AddDbContextPool<TContext>((services, options) =>
        {
            var breaker = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(breakerKey);
            options.UseNpgsql(connectionString, npgsql =>
                npgsql.ExecutionStrategy(dependencies => new BreakerExecutionStrategy(dependencies, breaker, dependency)));
        });
        // Aspire's tracing and metrics; its retries and its health check (CanConnect, which a frozen server with
        // pooled connections passes) are replaced by the above.
        builder.EnrichNpgsqlDbContext<TContext>(settings =>
        {
            settings.DisableRetry = true;
            settings.DisableHealthChecks = true;
        });
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            HealthCheckName,
            services => new DatabaseHealthCheck<TContext>(services, dependency),
            HealthStatus.Unhealthy,
            tags: null,
            timeout: DatabaseHealthCheck<TContext>.Timeout * 3));
        return builder;
    }

    /// <summary>
    /// Npgsql's waits sized to the request deadline: connecting gets 40 % of it, a command 60 % (whole seconds,
    /// at least 1), and a cancelled command's cancel request 0.5 s before the connection is broken (its default of
    /// 2 s would outlast the deadline against a frozen server).
    /// </summary>
    public static string FitInside(string connectionString, TimeSpan deadline) =>
        new NpgsqlConnectionStringBuilder(connectionString)
        {
            Timeout = Math.Max(1, (int)Math.Floor(deadline.TotalSeconds * 0.4)),
            CommandTimeout = Math.Max(1, (int)Math.Floor(deadline.TotalSeconds * 0.6)),
            CancellationTimeout = 500,
        }.ConnectionString;
}
