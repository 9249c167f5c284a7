namespace IdentityService.Domain;

/// <summary>
/// Argon2id parameters and values as written in a PHC string:
/// <c>$argon2id$v=19$m=65536,t=3,p=4$&lt;salt&gt;$&lt;hash&gt;</c> (base64 without padding).
/// </summary>
public sealed record PhcString(Argon2Parameters Parameters, byte[] Salt, byte[] Hash)
{
    public const int Version = 19;

    public override string ToString() =>
        $"$argon2id$v={Version}$m={Parameters.MemoryKib},t={Parameters.Iterations},p={Parameters.Parallelism}" +
        $"${Encode(Salt)}${Encode(Hash)}";

    public static bool TryParse(string value, out PhcString phc)
    {
        phc = null!;
        var parts = value.Split('$');
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != $"v={Version}")
        {
            return false;
        }
        int? memory = null, iterations = null, parallelism = null;
        foreach (var pair in parts[3].Split(','))
        {
            var (name, text) = (pair.Split('=')[0], pair[(pair.IndexOf('=') + 1)..]);
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number <= 0)
            {
                return false;
            }
            switch (name)
            {
                case "m": memory = number; break;
                case "t": iterations = number; break;
                case "p": parallelism = number; break;
                default: return false;
            }
        }
        if (memory is null || iterations is null || parallelism is null
            || !TryDecode(parts[4], out var salt) || !TryDecode(parts[5], out var hash) || salt.Length < 8 || hash.Length < 16)
        {
            return false;
        }
        phc = new PhcString(new Argon2Parameters(memory.Value, iterations.Value, parallelism.Value), salt, hash);
        return true;
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Contains('='))
        {
            return false;
        }
        var padded = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        try
        {
            bytes = Convert.FromBase64String(padded);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>Argon2id cost parameters: memory in KiB, passes over memory, lanes.</summary>
public sealed record Argon2Parameters(int MemoryKib, int Iterations, int Parallelism);
