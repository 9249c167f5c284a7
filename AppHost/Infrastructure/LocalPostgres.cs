using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AppHost.Infrastructure;

/// <summary>A PostgreSQL server run from the installed binaries, as a process the AppHost owns.</summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";

    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password}");

    internal List<LocalPostgresDatabaseResource> Databases { get; } = [];
}

/// <summary>A database on a <see cref="LocalPostgresServerResource"/>, created when the server is first ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public string DatabaseName => Name;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class LocalPostgresExtensions
{
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, string binDirectory, StateDirectory state)
    {
        var dataDirectory = Path.Combine(state.Path, $"{name}-data");
        var password = state.GetOrCreateSecret($"{name}.password", () => StateDirectory.NewPassword());
        InitializeDataDirectory(binDirectory, dataDirectory, password);

        var passwordParameter = builder.AddParameter($"{name}-password", password, secret: true);
        var (command, prefix) = RunAsPostgres(Path.Combine(binDirectory, "postgres"));
        var server = new LocalPostgresServerResource(name, command, state.Path, passwordParameter.Resource);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            connectionString = await ((IResourceWithConnectionString)server).GetConnectionStringAsync(ct));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (e, ct) =>
        {
            await CreateDatabasesAsync(connectionString!, server.Databases, ct);
            // Aspire hands a parent's state down to its children only for containers; an executable's
            // databases are marked running here, once they exist, so that their health checks start.
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in server.Databases)
            {
                await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
        });

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => (connectionString ?? throw new InvalidOperationException("Connection string is unavailable")) + ";Database=postgres",
            name: healthCheckKey);

        return builder.AddResource(server)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp", env: "PGPORT")
            .WithArgs([.. prefix, "-D", dataDirectory,
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300"])
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey);
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, string name)
    {
        var database = new LocalPostgresDatabaseResource(name, server.Resource);
        server.Resource.Databases.Add(database);

        string? connectionString = null;
        server.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await ((IResourceWithConnectionString)database).GetConnectionStringAsync(ct));
        var healthCheckKey = $"{name}_check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"),
            name: healthCheckKey);

        return server.ApplicationBuilder.AddResource(database).WithHealthCheck(healthCheckKey);
    }

    /// <summary>
    /// PostgreSQL refuses to run as root; when the AppHost is root, the server and initdb run as the
    /// <c>postgres</c> user through <c>setpriv</c>, which then owns the data folder.
    /// </summary>
    private static (string Command, string[] Prefix) RunAsPostgres(string executable) =>
        Environment.IsPrivilegedProcess
            ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", executable])
            : (executable, []);

    private static void InitializeDataDirectory(string binDirectory, string dataDirectory, string password)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            Console.WriteLine($"postgres: reusing the data folder {dataDirectory}");
            return;
        }

        Console.WriteLine($"postgres: initialising a new data folder {dataDirectory}");
        Directory.CreateDirectory(dataDirectory);
        var passwordFile = Path.Combine(dataDirectory, "..", $".initdb-{Guid.NewGuid():N}");
        File.WriteAllText(passwordFile, password);
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                Run("chown", ["-R", "postgres:postgres", dataDirectory]);
                Run("chown", ["postgres:postgres", passwordFile]);
            }
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

            var (command, prefix) = RunAsPostgres(Path.Combine(binDirectory, "initdb"));
            Run(command, [.. prefix, "-D", dataDirectory, "-U", LocalPostgresServerResource.UserName,
                "--auth=scram-sha-256", $"--pwfile={passwordFile}", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"]);
        }
        catch
        {
            // A half-made data folder would be taken for a finished one next time.
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static void Run(string command, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {command}.");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InfrastructureUnavailableException($"`{command} {string.Join(' ', arguments)}` failed ({process.ExitCode}): {stderr.Result}");
        }
    }

    private static async Task CreateDatabasesAsync(string serverConnectionString, IEnumerable<LocalPostgresDatabaseResource> databases, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(serverConnectionString + ";Database=postgres");
        await connection.OpenAsync(ct);
        foreach (var database in databases)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", database.DatabaseName);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                // Identifiers cannot be parameters; the name is one of ours and quoted as an identifier.
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName.Replace("\"", "\"\"")}\"", connection);
                await create.ExecuteNonQueryAsync(ct);
            }
        }
    }
}
