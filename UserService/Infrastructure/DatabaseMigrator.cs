using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace UserService.Infrastructure;

/// <summary>
/// Applies the EF Core migrations before the service listens (so it is never "ready" on an old schema).
/// Replicas starting together take turns on a PostgreSQL advisory lock; the second finds nothing to do.
/// </summary>
public static partial class DatabaseMigrator
{
    // Any constant unique to this service's database; "users" in ASCII.
    public const string ConnectionName = "usersdb";

    private const long MigrationLockKey = 0x7573657273;

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<UsersDbContext>();
                // Unpooled, so that closing the connection really ends the session and its lock.
                var connectionString = new NpgsqlConnectionStringBuilder(
                    services.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionName)) { Pooling = false };
                await using var lockConnection = new NpgsqlConnection(connectionString.ConnectionString);
                await lockConnection.OpenAsync(cancellationToken);
                await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", lockConnection))
                {
                    await take.ExecuteNonQueryAsync(cancellationToken);
                }
                // The lock is released when lockConnection closes, also if migrating throws.
                await db.Database.MigrateAsync(cancellationToken);
                LogMigrated(logger);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && attempt < 30)
            {
                LogRetrying(logger, attempt, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date")]
    private static partial void LogMigrated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable for migrations (attempt {Attempt}, {Reason}); retrying")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);
}
