using System.Collections.Concurrent;
using AppHost;
using IdentityService.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using UserService.Infrastructure;

namespace EndToEnd.Tests;

/// <summary>
/// Two replicas starting at once both migrate, through the shared helper (DatabaseDefaults), on an empty scratch
/// database of the fixture's PostgreSQL. Without the helper's advisory lock the identity case failed here with
/// <c>42701: column "dead_lettered_at" of relation "outbox_messages" already exists</c>: EF Core 10's own lock is held
/// per migration transaction only (README § Migrations).
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class DatabaseMigrationTests(DistributedAppFixture fixture)
{
    [Fact]
    public Task TwoIdentityReplicasMigratingAtOnceApplyEachMigrationOnce() =>
        MigrateTwiceAtOnceAsync<IdentityDbContext>(ResourceNames.IdentityDatabase);

    [Fact]
    public Task TwoUserReplicasMigratingAtOnceApplyEachMigrationOnce() =>
        MigrateTwiceAtOnceAsync<UsersDbContext>(ResourceNames.UsersDatabase);

    private async Task MigrateTwiceAtOnceAsync<TContext>(string resource) where TContext : DbContext
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
        ServiceProvider Replica() => new ServiceCollection()
            .AddLogging()
            .AddDbContext<TContext>(options => options
                .UseNpgsql(server.ConnectionString)
                .LogTo(sql.Enqueue, [RelationalEventId.CommandExecuting]))
            .BuildServiceProvider();
        await using var first = Replica();
        await using var second = Replica();

        await Task.WhenAll(
            Task.Run(() => DatabaseMigrator.MigrateAsync<TContext>(first)),
            Task.Run(() => DatabaseMigrator.MigrateAsync<TContext>(second)));

        await using var scope = first.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var expected = db.Database.GetMigrations().ToList();
        Assert.Equal(expected, await db.Database.GetAppliedMigrationsAsync());
        // Each migration's row was written once, by whichever replica held the lock; the other found nothing to do.
        Assert.Equal(expected.Count, sql.Count(line => line.Contains("INSERT INTO \"__EFMigrationsHistory\"", StringComparison.Ordinal)));
    }
}
