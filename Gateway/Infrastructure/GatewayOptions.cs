namespace Gateway.Infrastructure;

/// <summary>The gateway's knobs, bound from the <c>Gateway</c> configuration section (see README).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Largest request body, on the wire and after decompression.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Addresses whose <c>X-Forwarded-For</c> is believed. Empty by default: not even loopback.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Origins allowed by CORS; none by default.</summary>
    public string[] CorsOrigins { get; set; } = [];

    public EncryptionOptions Encryption { get; set; } = new();

    public Dictionary<string, RateLimitTierOptions> RateLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary><c>Gateway:Encryption</c>; its <c>SessionLifetime</c> is the use case's (<see cref="Application.EncryptionSessionOptions"/>).</summary>
public sealed class EncryptionOptions
{
    /// <summary>When true, every <c>/api/*</c> call except the handshake must be encrypted.</summary>
    public bool Required { get; set; }

    /// <summary>Base64 of 32 bytes that encrypt session keys at rest in Redis; every replica needs the same.</summary>
    public string? MasterKey { get; set; }

    /// <summary>How far a JWE's <c>iat</c> may be from the gateway's clock.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class RateLimitTierOptions
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
