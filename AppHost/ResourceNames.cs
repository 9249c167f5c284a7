namespace AppHost;

/// <summary>
/// The names of the application's resources: connection-string names for the services,
/// service-discovery names for the gateway, resource names for the dashboard and the tests.
/// </summary>
public static class ResourceNames
{
    public const string Postgres = "postgres";
    public const string IdentityDatabase = "identitydb";
    public const string UsersDatabase = "usersdb";
    public const string Redis = "redis";
    public const string IdentityService = "identityservice";
    public const string UserService = "userservice";
    public const string RealtimeService = "realtimeservice";
    public const string Gateway = "gateway";
    public const string GatewayMasterKey = "gateway-master-key";

    /// <summary>
    /// Gateway replicas are separate resources (<c>gateway</c>, <c>gateway-2</c>, …), each binding its own port
    /// without DCP's proxy, so the gateway sees each client's real address (per-IP rate limits).
    /// </summary>
    public static string GatewayReplica(int index) => index == 0 ? Gateway : $"{Gateway}-{index + 1}";

    public static readonly string[] All =
        [Postgres, IdentityDatabase, UsersDatabase, Redis, IdentityService, UserService, RealtimeService, Gateway];
}
