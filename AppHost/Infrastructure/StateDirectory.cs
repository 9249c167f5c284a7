using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace AppHost.Infrastructure;

/// <summary>
/// The folder that keeps development state between runs: the PostgreSQL data folder and the generated
/// development secrets. It lives outside the repository, so no secret is ever committed, and outside
/// root's home, because the PostgreSQL server runs as the <c>postgres</c> user and must reach it.
/// Default: <c>/var/tmp/distributed-apphost/&lt;hash of this checkout&gt;</c>; set <c>Infrastructure:DataDirectory</c> to move it.
/// </summary>
public sealed class StateDirectory
{
    private StateDirectory(string path) => Path = path;

    public string Path { get; }

    public static StateDirectory Resolve(IConfiguration configuration, string appHostDirectory)
    {
        var configured = configuration["Infrastructure:DataDirectory"];
        var path = string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine("/var/tmp/distributed-apphost", CheckoutKey(appHostDirectory))
            : System.IO.Path.GetFullPath(configured);

        // Every folder on the way must be traversable by the postgres user (0755), the secrets inside are not.
        Directory.CreateDirectory(path);
        for (var dir = new DirectoryInfo(path); dir is not null && dir.FullName != "/"; dir = dir.Parent)
        {
            if (dir.FullName.StartsWith("/var/tmp/distributed-apphost", StringComparison.Ordinal) || dir.FullName == path)
            {
                File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                    UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }
        return new StateDirectory(path);
    }

    /// <summary>Reads a secret kept in this folder, creating it (readable by this user only) on first use.</summary>
    public string GetOrCreateSecret(string fileName, Func<string> create)
    {
        var file = System.IO.Path.Combine(Path, fileName);
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        var value = create();
        File.WriteAllText(file, value);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return value;
    }

    /// <summary>A password of letters and digits only, so that it needs no quoting in any connection string.</summary>
    public static string NewPassword(int length = 32) =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length);

    private static string CheckoutKey(string appHostDirectory) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(appHostDirectory)))[..12];
}
