using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
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
/// request at most 80 % of it and the answer is 503 + Retry-After before the deadline.</item>
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
                    npgsql.ExecutionStrategy(dependencies => new BreakerExecutionStrategy(dependencies, breaker, dependency)))
                // A failed command is answered (503, one Warning naming the database; a bug: 500 with the exception
                // logged by the exception handler), so EF Core's own Error records of it would only repeat it.
                .ConfigureWarnings(warnings => warnings.Log(
                    (RelationalEventId.CommandError, LogLevel.Debug),
                    (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                    (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
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
    /// Npgsql's waits sized to the request deadline, in whole seconds: connecting gets 20 % of it (at least 1 s).
    /// A command that times out first sends PostgreSQL a cancel request on a new connection, and against a frozen
    /// server that costs two connect timeouts more (measured with Npgsql 10: command 3 s + connect 1 s ended after
    /// 5 s, command 1 s + connect 3 s after 7 s, whatever <c>Cancellation Timeout</c>); so a command gets 80 % of the
    /// deadline minus two connect timeouts (at least 1 s): 2 s of 5, and the worst case ends at 4 s. With
    /// <c>Cancellation Timeout=-1</c> the connection is then broken at once rather than waiting for the server to
    /// confirm the cancel.
    /// </summary>
    public static string FitInside(string connectionString, TimeSpan deadline)
    {
        var connect = Math.Max(1, (int)Math.Floor(deadline.TotalSeconds * 0.2));
        var command = Math.Max(1, (int)Math.Floor(deadline.TotalSeconds * 0.8) - 2 * connect);
        return new NpgsqlConnectionStringBuilder(connectionString)
        {
            Timeout = connect,
            CommandTimeout = command,
            CancellationTimeout = -1,
        }.ConnectionString;
    }
}
