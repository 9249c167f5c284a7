using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Applies a service's EF Core migrations before it listens, so that <c>/health</c> is never ready on an old
/// schema. Replicas starting together take turns on a session-level PostgreSQL advisory lock held across the whole
/// <c>MigrateAsync</c>: EF Core 10's own migration lock (Npgsql: <c>LOCK TABLE "__EFMigrationsHistory"</c>) lives
/// only inside each migration's transaction, so with two or more pending migrations a second replica got in
/// between and failed on "column … already exists" (README § Migrations; DatabaseMigrationTests). Waits for a
/// database that is still starting.
/// </summary>
public static partial class DatabaseMigrator
{
    private const int MaxAttempts = 30;

    // Any constant; advisory locks are per database, so both services can use the same one. "migrate" in ASCII.
    private const long MigrationLockKey = 0x6d696772617465;

    public static Task MigrateDatabaseAsync<TContext>(this WebApplication app, CancellationToken cancellationToken = default)
        where TContext : DbContext =>
        MigrateAsync<TContext>(app.Services, cancellationToken);

    public static async Task MigrateAsync<TContext>(IServiceProvider services, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator).FullName!);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                // Its own unpooled connection, so that closing it really ends the session and releases the lock,
                // also when migrating throws.
                var lockConnectionString = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
                await using var lockConnection = new NpgsqlConnection(lockConnectionString.ConnectionString);
                await lockConnection.OpenAsync(cancellationToken);
                await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", lockConnection))
                {
                    await take.ExecuteNonQueryAsync(cancellationToken);
                }
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    LogApplying(logger, typeof(TContext).Name, pending.Count, string.Join(", ", pending));
                    await db.Database.MigrateAsync(cancellationToken);
                }
                LogUpToDate(logger, typeof(TContext).Name);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or DependencyUnavailableException && attempt < MaxAttempts)
            {
                LogRetrying(logger, attempt, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Context}: applying {Count} migration(s): {Migrations}")]
    private static partial void LogApplying(ILogger logger, string context, int count, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Context}: database schema is up to date")]
    private static partial void LogUpToDate(ILogger logger, string context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable for migrations (attempt {Attempt}, {Reason}); retrying")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);
}
