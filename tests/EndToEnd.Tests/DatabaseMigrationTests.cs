using System.Collections.Concurrent;
using AppHost;
using IdentityService.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using UserService.Infrastructure;

namespace EndToEnd.Tests;

/// <summary>
/// Two replicas starting at once both migrate. EF Core 10 takes the provider's migration lock itself (Npgsql: a
/// <c>LOCK TABLE "__EFMigrationsHistory"</c> in the migration's transaction), so the helper in DatabaseDefaults needs
/// no advisory lock of its own. Proven here on the fixture's PostgreSQL: two MigrateAsync at once on an empty
/// scratch database, both succeed, each migration is applied once, and the lock is in the SQL EF Core sent.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class DatabaseMigrationTests(DistributedAppFixture fixture)
{
    [Fact]
    public Task TwoIdentityReplicasMigratingAtOnceApplyEachMigrationOnce() =>
        MigrateTwiceAtOnceAsync<IdentityDbContext>(ResourceNames.IdentityDatabase, options => new(options));

    [Fact]
    public Task TwoUserReplicasMigratingAtOnceApplyEachMigrationOnce() =>
        MigrateTwiceAtOnceAsync<UsersDbContext>(ResourceNames.UsersDatabase, options => new(options));

    private async Task MigrateTwiceAtOnceAsync<TContext>(string resource, Func<DbContextOptions<TContext>, TContext> create) where TContext : DbContext
    {
        var server = new NpgsqlConnectionStringBuilder(await fixture.ConnectionStringAsync(resource));
        var scratch = $"migrate_race_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var createDatabase = new NpgsqlCommand($"CREATE DATABASE {scratch}", admin);
            await createDatabase.ExecuteNonQueryAsync();
        }
        server.Database = scratch;

        var sql = new ConcurrentQueue<string>();
        TContext Replica() => create(new DbContextOptionsBuilder<TContext>()
            .UseNpgsql(server.ConnectionString)
            .LogTo(line => sql.Enqueue(line), [RelationalEventId.CommandExecuting])
            .Options);
        await using var first = Replica();
        await using var second = Replica();
        var expected = first.Database.GetMigrations().ToList();

        await Task.WhenAll(first.Database.MigrateAsync(), second.Database.MigrateAsync());

        Assert.Equal(expected, await first.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await second.Database.GetPendingMigrationsAsync());
        Assert.Equal(2, sql.Count(line => line.Contains("LOCK TABLE \"__EFMigrationsHistory\"", StringComparison.Ordinal)));
        // Each migration's INSERT into the history ran once, by whichever replica held the lock first.
        Assert.Equal(expected.Count, sql.Count(line => line.Contains("INSERT INTO \"__EFMigrationsHistory\"", StringComparison.Ordinal)));
    }
}
