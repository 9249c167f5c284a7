using AppHost;
using Npgsql;
using StackExchange.Redis;

namespace EndToEnd.Tests;

/// <summary>Direct access to what the services store, so tests can check it (Redis, both databases).</summary>
public static class Stores
{
    public static async Task<ConnectionMultiplexer> RedisAsync(DistributedAppFixture fixture) =>
        await ConnectionMultiplexer.ConnectAsync(await fixture.ConnectionStringAsync(ResourceNames.Redis));

    /// <summary>The raw bytes stored under <paramref name="key"/>, or null when there is none.</summary>
    public static async Task<byte[]?> RedisGetAsync(DistributedAppFixture fixture, string key)
    {
        await using var redis = await RedisAsync(fixture);
        return (byte[]?)await redis.GetDatabase().StringGetAsync(key);
    }

    public static Task<NpgsqlConnection> UsersDbAsync(DistributedAppFixture fixture) => OpenAsync(fixture, ResourceNames.UsersDatabase);

    public static Task<NpgsqlConnection> IdentityDbAsync(DistributedAppFixture fixture) => OpenAsync(fixture, ResourceNames.IdentityDatabase);

    private static async Task<NpgsqlConnection> OpenAsync(DistributedAppFixture fixture, string database)
    {
        var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(database));
        await connection.OpenAsync();
        return connection;
    }
}
