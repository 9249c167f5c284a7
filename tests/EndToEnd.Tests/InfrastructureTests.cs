using AppHost;
using Npgsql;

namespace EndToEnd.Tests;

/// <summary>The AppHost's local PostgreSQL serves both databases the services need.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class InfrastructureTests(DistributedAppFixture fixture)
{
    [Theory]
    [InlineData(ResourceNames.IdentityDatabase)]
    [InlineData(ResourceNames.UsersDatabase)]
    public async Task EachDatabaseExistsAndAnswers(string database)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);

        Assert.Equal(database, await command.ExecuteScalarAsync());
    }
}
